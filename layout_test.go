package layout_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/oneentry-mock/oneentry-mock"

// floors puts every package of the module on a floor. A package may import only packages on
// lower floors, so the layout docs/architecture.md describes cannot erode: a new package has to
// be placed here and in that page's table, and an upward import fails this test.
var floors = map[string]int{
	"backoff": 0, "datetime": 0, "client": 0, "fixtures": 0, "internal/testkit": 0, "internal/graceful": 0, "internal/budget": 0, "internal/reqbody": 0, "internal/jsonscan": 0, "internal/shellword": 0,
	"schedule": 1, "exchange": 1, "mail": 1, "webhook": 1, "socketio": 1, "client/clienttest": 1,
	"mockserver/store": 2, "contracts": 2,
	"mockserver/store/bolt": 3, "sandbox": 3,
	"mockserver/ui": 4, "capsule": 4,
	"mockserver": 5,
	"scenarios":  6, "mockserver/mocktest": 6,
	"drift":             7,
	"pull":              6,
	"cmd/oneentry-mock": 8, "cmd/bench": 8,
	// Test-only packages: no files but tests, or a doc file that imports nothing.
	"examples": 9, "containertest": 9, "sdktest": 9,
}

// moduleImports returns, for every package directory of the module but the root (which holds
// only the tests of the tree itself, these among them), the module packages its non-test files
// import. A package made only of tests is there too, importing nothing: its tests may import
// whatever they drive.
func moduleImports(t *testing.T) map[string]map[string]bool {
	t.Helper()
	imports := map[string]map[string]bool{}
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); p != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		dir := filepath.ToSlash(filepath.Dir(p))
		if !strings.HasSuffix(p, ".go") || dir == "." {
			return nil
		}
		if imports[dir] == nil {
			imports[dir] = map[string]bool{}
		}
		if strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, spec := range f.Imports {
			ip, _ := strconv.Unquote(spec.Path.Value)
			if rest, ok := strings.CutPrefix(ip, module+"/"); ok {
				imports[dir][rest] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return imports
}

func TestImportsPointDown(t *testing.T) {
	t.Parallel()
	imports := moduleImports(t)
	for dir, deps := range imports {
		floor, ok := floors[dir]
		if !ok {
			t.Errorf("package %s has no floor: add it to floors and to the table of docs/architecture.md", dir)
			continue
		}
		for dep := range deps {
			if depFloor, ok := floors[dep]; !ok || depFloor >= floor {
				t.Errorf("%s (floor %d) imports %s (floor %d): imports must point down", dir, floor, dep, depFloor)
			}
		}
	}
	for dir := range floors {
		if _, ok := imports[dir]; !ok {
			t.Errorf("floors names %s, which has no Go files", dir)
		}
	}
}

// architectureDoc is the page whose table lists every package.
const architectureDoc = "docs/architecture.md"

// backquoted matches a name the table writes in backquotes.
var backquoted = regexp.MustCompile("`([^`]+)`")

// architectureRow is a row of the table of architectureDoc: the packages its first cell names
// and the module packages its last cell says they import ("nothing" names none).
type architectureRow struct {
	packages []string
	imports  map[string]bool
}

// architectureTable reads the rows of the table of architectureDoc: those whose first cell
// starts with a backquoted name.
func architectureTable(t *testing.T) []architectureRow {
	t.Helper()
	data, err := os.ReadFile(architectureDoc)
	if err != nil {
		t.Fatal(err)
	}
	var rows []architectureRow
	for _, line := range strings.Split(string(data), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 5 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		row := architectureRow{imports: map[string]bool{}}
		for _, m := range backquoted.FindAllStringSubmatch(cells[1], -1) {
			row.packages = append(row.packages, m[1])
		}
		for _, m := range backquoted.FindAllStringSubmatch(cells[len(cells)-2], -1) {
			row.imports[m[1]] = true
		}
		rows = append(rows, row)
	}
	return rows
}

// TestArchitectureTableNamesEveryPackage keeps the table of docs/architecture.md in step with
// floors: every package has a row (the first cell names one or more packages in backquotes),
// and every row names packages that exist.
func TestArchitectureTableNamesEveryPackage(t *testing.T) {
	t.Parallel()
	listed := map[string]bool{}
	for _, row := range architectureTable(t) {
		for _, name := range row.packages {
			listed[name] = true
		}
	}
	for dir := range floors {
		if !listed[dir] {
			t.Errorf("package %s has no row in the table of %s", dir, architectureDoc)
		}
	}
	for name := range listed {
		if _, ok := floors[name]; !ok {
			t.Errorf("%s lists %s, which is not a package of floors", architectureDoc, name)
		}
	}
}

// TestArchitectureTableNamesEveryImport keeps the last column of the table of
// docs/architecture.md true: each package of a row imports, in its non-test files, exactly the
// module packages that column names.
func TestArchitectureTableNamesEveryImport(t *testing.T) {
	t.Parallel()
	imports := moduleImports(t)
	for _, row := range architectureTable(t) {
		for _, name := range row.packages {
			deps, ok := imports[name]
			if !ok {
				continue // TestArchitectureTableNamesEveryPackage reports it
			}
			for dep := range deps {
				if !row.imports[dep] {
					t.Errorf("%s imports %s, which its row in %s does not name", name, dep, architectureDoc)
				}
			}
			for dep := range row.imports {
				if !deps[dep] {
					t.Errorf("the row of %s in %s names %s, which it does not import", name, architectureDoc, dep)
				}
			}
		}
	}
}

// TestGitattributesKeepLF holds .gitattributes to what the tests need from a checkout: LF line
// ends on every platform (with Git for Windows' default core.autocrlf=true a checkout would
// otherwise get CRLF and the tests reading docs, golden files and fixture sizes would fail), and
// images left as bytes.
func TestGitattributesKeepLF(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(".gitattributes")
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		lines[strings.Join(strings.Fields(line), " ")] = true
	}
	for _, want := range []string{"* text=auto eol=lf", "*.png binary"} {
		if !lines[want] {
			t.Errorf(".gitattributes has no line %q", want)
		}
	}
}
