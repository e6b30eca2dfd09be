// Package doccheck keeps the code in documentation true: a package
// comment's code block is, line for line, the body of a function that an
// Example runs, and a README's program is, byte for byte, a file of the
// module that the build compiles and an Example runs — so the code a user
// copies compiles and works, and a test fails the day the two drift
// apart.
package doccheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// Snippet fails t unless the first code block (the indented lines) of the
// package comment in docFile is the body of the function fn declared in
// testFile.
func Snippet(t testing.TB, docFile, testFile, fn string) {
	t.Helper()
	doc, err := parser.ParseFile(token.NewFileSet(), docFile, nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Doc == nil {
		t.Fatalf("%s has no package comment", docFile)
	}
	want := codeBlock(doc.Doc.Text())
	if want == "" {
		t.Fatalf("the package comment in %s has no code block", docFile)
	}
	got, err := funcBody(testFile, fn)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("the code in the package comment of %s is not the body of %s in %s:\n--- doc\n%s\n--- %s\n%s",
			docFile, fn, testFile, want, fn, got)
	}
}

// codeBlock returns the first run of indented lines in a comment's text,
// less one tab each.
func codeBlock(text string) string {
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		code, ok := strings.CutPrefix(l, "\t")
		if !ok {
			if len(lines) > 0 {
				break
			}
			continue
		}
		lines = append(lines, code)
	}
	return strings.Join(lines, "\n")
}

// funcBody returns the source between the braces of function fn in file,
// less one tab per line and without the blank lines around it.
func funcBody(file, fn string) (string, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, parser.ParseComments)
	if err != nil {
		return "", err
	}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Name.Name != fn || fd.Body == nil {
			continue
		}
		body := string(src[fset.Position(fd.Body.Lbrace).Offset+1 : fset.Position(fd.Body.Rbrace).Offset])
		lines := strings.Split(strings.Trim(body, "\n"), "\n")
		for i, l := range lines {
			lines[i] = strings.TrimPrefix(l, "\t")
		}
		return strings.Join(lines, "\n"), nil
	}
	return "", &os.PathError{Op: "find func " + fn, Path: file, Err: os.ErrNotExist}
}

// Markdown fails t unless the first fenced ```go block of the Markdown
// file mdFile is, less its fences, the content of goFile.
func Markdown(t testing.TB, mdFile, goFile string) {
	t.Helper()
	md, err := os.ReadFile(mdFile)
	if err != nil {
		t.Fatal(err)
	}
	want, ok := fencedGo(string(md))
	if !ok {
		t.Fatalf("%s has no ```go block", mdFile)
	}
	got, err := os.ReadFile(goFile)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("the first ```go block of %s is not %s:\n--- %s\n%s\n--- %s\n%s", mdFile, goFile, mdFile, want, goFile, got)
	}
}

// fencedGo returns the first ```go block of a Markdown text, ending in a
// newline.
func fencedGo(md string) (string, bool) {
	var lines []string
	in := false
	for _, l := range strings.Split(md, "\n") {
		switch {
		case !in && strings.TrimSpace(l) == "```go":
			in = true
		case in && strings.TrimSpace(l) == "```":
			return strings.Join(lines, "\n") + "\n", true
		case in:
			lines = append(lines, l)
		}
	}
	return "", false
}
