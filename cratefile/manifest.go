package cratefile

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/BurntSushi/toml"
)

// Manifest is the part of a Cargo.toml that matters for analysing a published crate.
type Manifest struct {
	Package Package
	// Lib is nil when the manifest has no [lib] table; the crate may still have an
	// auto-discovered library (see Crate.TargetKind).
	Lib                            *Target
	Bins, Examples, Tests, Benches []Target
	Features                       map[string][]string

	deps []Dependency
}

// Package is the [package] table.
type Package struct {
	Name, Version string
	Authors       []string
	Description   string
	Repository    string
	Homepage      string
	Documentation string
	License       string
	LicenseFile   string
	// Readme is the readme path; "" when absent or `readme = false`.
	Readme               string
	Keywords, Categories []string
	Edition, RustVersion string
	// Build is the build script path when given as a string; NoBuild is `build = false`.
	// With neither, Cargo uses build.rs if the crate has one.
	Build   string
	NoBuild bool
	Links   string
	// Publish is false for `publish = false` or `publish = []`; PublishTo lists the
	// registries of `publish = ["..."]`.
	Publish   bool
	PublishTo []string
	Include   []string
	Exclude   []string
	// Target auto-discovery switches, true unless the manifest turns them off.
	// `cargo package` (1.84 and later) turns them all off and lists every target.
	AutoLib, AutoBins, AutoExamples, AutoTests, AutoBenches bool
}

// Target is a [lib], [[bin]], [[example]], [[test]] or [[bench]] table.
type Target struct {
	Name string
	// Path is as written; "" means Cargo's default for the target.
	Path             string
	ProcMacro        bool
	CrateTypes       []string
	RequiredFeatures []string
}

// DepKind is the kind of a dependency, as in the registry index.
type DepKind uint8

const (
	DepNormal DepKind = iota
	DepDev
	DepBuild
)

func (k DepKind) String() string {
	switch k {
	case DepDev:
		return "dev"
	case DepBuild:
		return "build"
	}
	return "normal"
}

// Dependency is one entry of a dependency table.
type Dependency struct {
	Kind DepKind
	// Target is the platform of [target.<Target>.*dependencies]: a cfg() expression or a
	// target triple; "" for every platform.
	Target string
	// Name is the key in the table, the name the code uses; Package the crate it refers to
	// (the `package` field of a renamed dependency, or Name).
	Name, Package string
	// Req is the version requirement as written; "" when the dependency has none (a path
	// or git dependency).
	Req             string
	Optional        bool
	DefaultFeatures bool
	Features        []string
	Registry        string
	RegistryIndex   string
	Path            string
	Git             string
	Branch          string
	Tag             string
	Rev             string
}

// Deps returns every dependency ordered by kind, target and name. The slice is shared.
func (m *Manifest) Deps() []Dependency { return m.deps }

// Bounds on the TOML structure, checked before decoding. The decoder's time grows faster
// than linearly with nesting depth (10,000 nested inline tables take 30 s), dotted-key length,
// and the number of keys, tables and dotted keys in a document. Real manifests nest 3 deep, dot
// 3 times in a key, and open a few thousand brackets at most (web-sys: 1,600 features).
const (
	maxTOMLDepth     = 32
	maxTOMLKeyDots   = 32
	maxTOMLOpens     = 16384 // '[' and '{' in the document
	maxTOMLTotalDots = 8192
	maxTOMLKeys      = 16384 // '=' in the document
)

// ParseManifest decodes a Cargo.toml. Values of the wrong type are errors naming the key
// (a hostile manifest may put an array where a string belongs); unknown keys are ignored.
// Workspace inheritance (`version.workspace = true`) is an error: published manifests are
// normalized and never carry it.
func ParseManifest(data []byte) (*Manifest, error) {
	if err := checkTOMLShape(data); err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	m := &Manifest{}
	var err error
	pkgKey := "package"
	if _, ok := doc[pkgKey]; !ok {
		if _, ok := doc["project"]; ok {
			pkgKey = "project" // the pre-1.0 spelling, in crates published before 2017
		}
	}
	pkg, err := optTable(doc, pkgKey, "")
	if err != nil {
		return nil, err
	}
	if pkg == nil {
		return nil, fmt.Errorf("no [package] table")
	}
	if err := m.Package.parse(pkg, pkgKey+"."); err != nil {
		return nil, err
	}
	if err := m.parseTargets(doc); err != nil {
		return nil, err
	}
	if m.deps, err = parseAllDeps(doc, "", ""); err != nil {
		return nil, err
	}
	targets, err := optTable(doc, "target", "")
	if err != nil {
		return nil, err
	}
	for _, platform := range sortedKeys(targets) {
		where := fmt.Sprintf("target.%q.", platform)
		t, ok := targets[platform].(map[string]any)
		if !ok {
			return nil, typeErr(where[:len(where)-1], "a table", targets[platform])
		}
		deps, err := parseAllDeps(t, platform, where)
		if err != nil {
			return nil, err
		}
		m.deps = append(m.deps, deps...)
	}
	slices.SortStableFunc(m.deps, func(a, b Dependency) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Target, b.Target), cmp.Compare(a.Name, b.Name))
	})
	feats, err := optTable(doc, "features", "")
	if err != nil {
		return nil, err
	}
	if feats != nil {
		m.Features = make(map[string][]string, len(feats))
		for k, v := range feats {
			if m.Features[k], err = strList(v, "features."+k); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

func (p *Package) parse(t map[string]any, at string) error {
	strs := []struct {
		key string
		dst *string
	}{
		{"name", &p.Name}, {"version", &p.Version}, {"description", &p.Description},
		{"repository", &p.Repository}, {"homepage", &p.Homepage},
		{"documentation", &p.Documentation}, {"license", &p.License},
		{"license-file", &p.LicenseFile}, {"edition", &p.Edition},
		{"rust-version", &p.RustVersion}, {"links", &p.Links},
	}
	for _, s := range strs {
		if err := optString(t, s.key, at, s.dst); err != nil {
			return err
		}
	}
	lists := []struct {
		key string
		dst *[]string
	}{
		{"authors", &p.Authors}, {"keywords", &p.Keywords}, {"categories", &p.Categories},
		{"include", &p.Include}, {"exclude", &p.Exclude},
	}
	for _, l := range lists {
		if v, ok := t[l.key]; ok {
			var err error
			if *l.dst, err = strList(v, at+l.key); err != nil {
				return err
			}
		}
	}
	switch v := t["readme"].(type) {
	case nil:
	case string:
		p.Readme = v
	case bool:
		if v {
			p.Readme = "README.md"
		}
	default:
		return typeErr(at+"readme", "a string or a boolean", v)
	}
	switch v := t["build"].(type) {
	case nil:
	case string:
		p.Build = v
	case bool:
		p.NoBuild = !v
	default:
		return typeErr(at+"build", "a string or a boolean", v)
	}
	p.Publish = true
	switch v := t["publish"].(type) {
	case nil:
	case bool:
		p.Publish = v
	case []any:
		var err error
		if p.PublishTo, err = strList(v, at+"publish"); err != nil {
			return err
		}
		p.Publish = len(v) > 0
	default:
		return typeErr(at+"publish", "a boolean or an array of strings", v)
	}
	autos := []struct {
		key string
		dst *bool
	}{
		{"autolib", &p.AutoLib}, {"autobins", &p.AutoBins}, {"autoexamples", &p.AutoExamples},
		{"autotests", &p.AutoTests}, {"autobenches", &p.AutoBenches},
	}
	for _, a := range autos {
		*a.dst = true
		if err := optBool(t, a.key, at, a.dst); err != nil {
			return err
		}
	}
	if p.Version == "" {
		// Cargo 1.75 made the version optional; a missing one means 0.0.0.
		p.Version = "0.0.0"
	}
	return nil
}

func (m *Manifest) parseTargets(doc map[string]any) error {
	switch v := doc["lib"].(type) {
	case nil:
	case map[string]any:
		lib, err := parseTarget(v, "lib.")
		if err != nil {
			return err
		}
		m.Lib = &lib
	case []map[string]any:
		// [[lib]]: accepted by early Cargo versions, with one element.
		if len(v) != 1 {
			return fmt.Errorf("lib: %d [[lib]] tables, a crate has at most one library", len(v))
		}
		lib, err := parseTarget(v[0], "lib.")
		if err != nil {
			return err
		}
		m.Lib = &lib
	default:
		return typeErr("lib", "a table", v)
	}
	lists := []struct {
		key string
		dst *[]Target
	}{
		{"bin", &m.Bins}, {"example", &m.Examples}, {"test", &m.Tests}, {"bench", &m.Benches},
	}
	for _, l := range lists {
		v, ok := doc[l.key]
		if !ok {
			continue
		}
		arr, ok := v.([]map[string]any)
		if !ok {
			return typeErr(l.key, "an array of tables ([["+l.key+"]])", v)
		}
		for i, t := range arr {
			tg, err := parseTarget(t, fmt.Sprintf("%s[%d].", l.key, i))
			if err != nil {
				return err
			}
			*l.dst = append(*l.dst, tg)
		}
	}
	return nil
}

func parseTarget(t map[string]any, at string) (Target, error) {
	var tg Target
	if err := optString(t, "name", at, &tg.Name); err != nil {
		return tg, err
	}
	if err := optString(t, "path", at, &tg.Path); err != nil {
		return tg, err
	}
	for _, k := range []string{"proc_macro", "proc-macro"} {
		if err := optBool(t, k, at, &tg.ProcMacro); err != nil {
			return tg, err
		}
	}
	for _, k := range []string{"crate_type", "crate-type"} {
		if v, ok := t[k]; ok {
			var err error
			if tg.CrateTypes, err = strList(v, at+k); err != nil {
				return tg, err
			}
		}
	}
	if v, ok := t["required-features"]; ok {
		var err error
		if tg.RequiredFeatures, err = strList(v, at+"required-features"); err != nil {
			return tg, err
		}
	}
	return tg, nil
}

// parseAllDeps reads the dependency tables of doc, the manifest root or one target.<platform>.
func parseAllDeps(doc map[string]any, platform, at string) ([]Dependency, error) {
	tables := []struct {
		key  string
		kind DepKind
	}{
		{"dependencies", DepNormal},
		{"dev-dependencies", DepDev}, {"dev_dependencies", DepDev},
		{"build-dependencies", DepBuild}, {"build_dependencies", DepBuild},
	}
	var out []Dependency
	seen := map[DepKind]map[string]bool{}
	for _, tb := range tables {
		t, err := optTable(doc, tb.key, at)
		if err != nil {
			return nil, err
		}
		if seen[tb.kind] == nil {
			seen[tb.kind] = map[string]bool{}
		}
		for _, name := range sortedKeys(t) {
			where := at + tb.key + "." + name
			if seen[tb.kind][name] {
				return nil, fmt.Errorf("%s: declared in both spellings of the table", where)
			}
			seen[tb.kind][name] = true
			d, err := parseDep(name, t[name], where)
			if err != nil {
				return nil, err
			}
			d.Kind, d.Target = tb.kind, platform
			out = append(out, d)
		}
	}
	return out, nil
}

func parseDep(name string, v any, at string) (Dependency, error) {
	d := Dependency{Name: name, Package: name, DefaultFeatures: true}
	if name == "" {
		return d, fmt.Errorf("%s: empty dependency name", at)
	}
	switch v := v.(type) {
	case string:
		d.Req = v
		return d, nil
	case map[string]any:
		if _, ok := v["workspace"]; ok {
			return d, fmt.Errorf("%s: workspace inheritance is not resolved (not a normalized manifest)", at)
		}
		strs := []struct {
			key string
			dst *string
		}{
			{"version", &d.Req}, {"package", &d.Package}, {"registry", &d.Registry},
			{"registry-index", &d.RegistryIndex}, {"path", &d.Path}, {"git", &d.Git},
			{"branch", &d.Branch}, {"tag", &d.Tag}, {"rev", &d.Rev},
		}
		for _, s := range strs {
			if err := optString(v, s.key, at+".", s.dst); err != nil {
				return d, err
			}
		}
		if d.Package == "" {
			return d, fmt.Errorf("%s.package: empty", at)
		}
		if err := optBool(v, "optional", at+".", &d.Optional); err != nil {
			return d, err
		}
		// default-features wins over the older default_features, as in Cargo.
		for _, k := range []string{"default_features", "default-features"} {
			if err := optBool(v, k, at+".", &d.DefaultFeatures); err != nil {
				return d, err
			}
		}
		if f, ok := v["features"]; ok {
			var err error
			if d.Features, err = strList(f, at+".features"); err != nil {
				return d, err
			}
		}
		return d, nil
	}
	return d, typeErr(at, "a version string or a table", v)
}

func optTable(t map[string]any, key, at string) (map[string]any, error) {
	v, ok := t[key]
	if !ok {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, typeErr(at+key, "a table", v)
	}
	return m, nil
}

func optString(t map[string]any, key, at string, dst *string) error {
	v, ok := t[key]
	if !ok {
		return nil
	}
	s, ok := v.(string)
	if !ok {
		if _, inherit := v.(map[string]any); inherit {
			return fmt.Errorf("%s%s: a table where a string belongs (workspace inheritance is not resolved in published manifests)", at, key)
		}
		return typeErr(at+key, "a string", v)
	}
	*dst = s
	return nil
}

func optBool(t map[string]any, key, at string, dst *bool) error {
	v, ok := t[key]
	if !ok {
		return nil
	}
	b, ok := v.(bool)
	if !ok {
		return typeErr(at+key, "a boolean", v)
	}
	*dst = b
	return nil
}

func strList(v any, at string) ([]string, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, typeErr(at, "an array of strings", v)
	}
	out := make([]string, len(arr))
	for i, e := range arr {
		s, ok := e.(string)
		if !ok {
			return nil, typeErr(fmt.Sprintf("%s[%d]", at, i), "a string", e)
		}
		out[i] = s
	}
	return out, nil
}

func typeErr(at, want string, v any) error {
	return fmt.Errorf("%s: expected %s, found %s", at, want, tomlType(v))
}

func tomlType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case time.Time:
		return "a datetime"
	case []any:
		return "an array"
	case []map[string]any:
		return "an array of tables"
	case map[string]any:
		return "a table"
	}
	return fmt.Sprintf("%T", v)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// checkTOMLShape bounds bracket nesting and dotted-key length, skipping strings and comments
// the way the TOML grammar does, before the decoder sees the document.
func checkTOMLShape(data []byte) error {
	depth, dots, opens, totalDots, keys, line := 0, 0, 0, 0, 0, 1
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '\n':
			line++
			dots = 0
		case '#':
			for i+1 < len(data) && data[i+1] != '\n' {
				i++
			}
		case '"', '\'':
			end, nl := skipString(data, i)
			line += nl
			i = end
		case '[', '{':
			depth++
			opens++
			dots = 0
			if depth > maxTOMLDepth {
				return fmt.Errorf("line %d: brackets nested more than %d deep", line, maxTOMLDepth)
			}
			if opens > maxTOMLOpens {
				return fmt.Errorf("line %d: more than %d tables and arrays", line, maxTOMLOpens)
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
			dots = 0
		case '=':
			dots = 0
			if keys++; keys > maxTOMLKeys {
				return fmt.Errorf("line %d: more than %d keys", line, maxTOMLKeys)
			}
		case ',':
			dots = 0
		case '.':
			dots++
			totalDots++
			if dots > maxTOMLKeyDots {
				return fmt.Errorf("line %d: dotted key of more than %d parts", line, maxTOMLKeyDots)
			}
			if totalDots > maxTOMLTotalDots {
				return fmt.Errorf("line %d: more than %d dots outside strings", line, maxTOMLTotalDots)
			}
		}
	}
	return nil
}

// skipString returns the index of the last byte of the string starting at data[i] and the
// number of newlines inside it. Single-line strings end at a newline too: that is invalid TOML,
// which the decoder reports.
func skipString(data []byte, i int) (end, newlines int) {
	q := data[i]
	escapes := q == '"'
	if i+2 < len(data) && data[i+1] == q && data[i+2] == q {
		for j := i + 3; j < len(data); j++ {
			switch data[j] {
			case '\\':
				if escapes {
					if j+1 < len(data) && data[j+1] == '\n' {
						newlines++
					}
					j++
				}
			case '\n':
				newlines++
			case q:
				if j+2 < len(data) && data[j+1] == q && data[j+2] == q {
					end = j + 2
					// Up to two more quotes belong to the content, before the delimiter.
					for k := 0; k < 2 && end+1 < len(data) && data[end+1] == q; k++ {
						end++
					}
					return end, newlines
				}
			}
		}
		return len(data) - 1, newlines
	}
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			if escapes {
				if j+1 < len(data) && data[j+1] == '\n' {
					return j, 0
				}
				j++
			}
		case '\n':
			return j - 1, 0
		case q:
			return j, 0
		}
	}
	return len(data) - 1, 0
}
