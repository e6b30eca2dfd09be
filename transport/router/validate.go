package router

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/azenna/advox/transport"
)

// validate checks cfg and builds the members and compiled routes.
func validate(cfg *Config) ([]*member, []route, error) {
	if len(cfg.Transports) == 0 {
		return nil, nil, errors.New("router: Config.Transports is empty")
	}
	if len(cfg.Routes) == 0 {
		return nil, nil, errors.New("router: Config.Routes is empty")
	}
	if cfg.Breaker.Failures < 0 || cfg.Breaker.Backoff < 0 || cfg.Breaker.MaxBackoff < 0 {
		return nil, nil, errors.New("router: Config.Breaker has a negative field")
	}
	if cfg.Throttle.Pause < 0 || cfg.Throttle.MaxPause < 0 {
		return nil, nil, errors.New("router: Config.Throttle has a negative field")
	}
	members := make([]*member, 0, len(cfg.Transports))
	byName := make(map[string]int, len(cfg.Transports))
	for i, t := range cfg.Transports {
		if t == nil {
			return nil, nil, fmt.Errorf("router: Config.Transports[%d] is nil", i)
		}
		name := t.Name()
		if name == "" {
			return nil, nil, fmt.Errorf("router: Config.Transports[%d] has an empty Name", i)
		}
		if _, dup := byName[name]; dup {
			return nil, nil, fmt.Errorf("router: transport name %q used twice", name)
		}
		byName[name] = i
		members = append(members, &member{name: name, t: t})
	}
	routes := make([]route, 0, len(cfg.Routes))
	seen := make(map[string]bool, len(cfg.Routes))
	for i, r := range cfg.Routes {
		where := fmt.Sprintf("router: route %q (#%d)", r.Name, i+1)
		if strings.TrimSpace(r.Name) == "" {
			return nil, nil, fmt.Errorf("router: route #%d has no Name", i+1)
		}
		if seen[r.Name] {
			return nil, nil, fmt.Errorf("%s: name used twice", where)
		}
		seen[r.Name] = true
		if i > 0 && cfg.Routes[i-1].Match.IsZero() {
			return nil, nil, fmt.Errorf("%s: unreachable after the default route %q", where, cfg.Routes[i-1].Name)
		}
		m, err := compileMatch(r.Match)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", where, err)
		}
		targets, err := compileTargets(r, byName)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", where, err)
		}
		routes = append(routes, route{name: r.Name, match: m, mode: r.Mode, targets: targets, spill: r.SpillThrottled})
	}
	return members, routes, nil
}

// compileTargets resolves a route's targets to member indices.
func compileTargets(r Route, byName map[string]int) ([]target, error) {
	if r.Mode != Failover && r.Mode != Weighted {
		return nil, fmt.Errorf("unknown Mode %d", int(r.Mode))
	}
	if len(r.Transports) == 0 {
		return nil, errors.New("no transports")
	}
	out := make([]target, 0, len(r.Transports))
	used := make(map[int]bool, len(r.Transports))
	total := 0
	for _, tg := range r.Transports {
		i, ok := byName[tg.Transport]
		switch {
		case !ok:
			return nil, fmt.Errorf("unknown transport %q", tg.Transport)
		case used[i]:
			return nil, fmt.Errorf("transport %q listed twice", tg.Transport)
		case tg.Weight < 0:
			return nil, fmt.Errorf("transport %q: negative weight %d", tg.Transport, tg.Weight)
		case tg.Weight != 0 && r.Mode == Failover:
			return nil, fmt.Errorf("transport %q: weight set on a failover route (use Mode Weighted)", tg.Transport)
		}
		used[i] = true
		total += tg.Weight
		out = append(out, target{member: i, weight: tg.Weight})
	}
	if r.Mode == Weighted && total == 0 {
		return nil, errors.New("weighted route without a positive weight")
	}
	return out, nil
}

// compileMatch validates m and turns calling codes into prefixes.
func compileMatch(m Match) (matcher, error) {
	var out matcher
	known := phonenumbers.GetSupportedCallingCodes()
	for _, cc := range m.CallingCodes {
		if !known[cc] {
			return out, fmt.Errorf("unknown country calling code %d", cc)
		}
		out.dest = append(out.dest, fmt.Sprintf("+%d", cc))
	}
	for _, p := range m.Prefixes {
		if !validPrefix(p) {
			return out, fmt.Errorf("prefix %q is not \"+\" and 1 to 15 digits", p)
		}
		out.dest = append(out.dest, p)
	}
	for _, k := range m.Senders {
		switch k {
		case transport.SenderAlphanumeric, transport.SenderShortCode, transport.SenderInternational:
		default:
			return out, fmt.Errorf("unknown sender kind %q", k)
		}
	}
	for _, a := range m.Accounts {
		if a == "" {
			return out, errors.New("empty account id")
		}
	}
	out.senders = append(out.senders, m.Senders...)
	out.accounts = append(out.accounts, m.Accounts...)
	return out, nil
}

// validPrefix reports whether p is "+" followed by 1–15 digits.
func validPrefix(p string) bool {
	if len(p) < 2 || len(p) > 16 || p[0] != '+' {
		return false
	}
	for i := 1; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
	}
	return true
}
