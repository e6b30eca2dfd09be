package walk

import (
	"errors"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
)

type inner struct {
	Name   string
	hidden string
}

type outer struct {
	ID     string
	Rate   float64
	Tags   []string
	Pairs  [2]inner
	Ptr    *inner
	NilPtr *inner
	Any    any
	Map    map[string]int
	Chan   chan int
	secret string
}

func TestLeaves(t *testing.T) {
	v := outer{
		ID: "a", Rate: 1.5, Tags: []string{"x", "y"}, Pairs: [2]inner{{Name: "p0"}, {Name: "p1", hidden: "h"}},
		Ptr: &inner{Name: "ptr"}, Any: inner{Name: "any"}, Map: map[string]int{"k": 7}, secret: "s",
	}
	got := map[string]any{}
	err := Leaves(&v, func(path string, v reflect.Value) error {
		got[path] = v.Interface()
		return nil
	})
	assert.NoError(t, err)
	assert.Equal(t, map[string]any{
		"ID": "a", "Rate": 1.5, "Tags[0]": "x", "Tags[1]": "y", "Pairs[0].Name": "p0", "Pairs[1].Name": "p1",
		"Ptr.Name": "ptr", "Any.Name": "any", "Map{key}": "k", "Map{value}": 7, "Chan": v.Chan,
	}, got, "exported leaves only; nil pointers and unexported fields are not entered")
}

func TestLeavesStopsAtTheFirstError(t *testing.T) {
	stop := errors.New("stop")
	var seen []string
	err := Leaves(outer{ID: "a", Tags: []string{"x", "y"}}, func(path string, _ reflect.Value) error {
		seen = append(seen, path)
		if path == "Tags[0]" {
			return stop
		}
		return nil
	})
	assert.ErrorIs(t, err, stop)
	assert.Equal(t, []string{"ID", "Rate", "Tags[0]"}, seen)
	assert.NoError(t, Leaves(nil, func(string, reflect.Value) error { return stop }), "nothing to walk")
}
