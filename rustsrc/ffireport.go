package rustsrc

import (
	"cmp"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// FFIReport summarises the facts of a corpus of crates: "where is the C?".
type FFIReport struct {
	Crates, Failed          int
	Files                   int
	Bytes                   int64
	Lines                   int
	Shares                  []Share // crates with each property, in a fixed order
	ABIs                    []Count // extern blocks per ABI
	Tools                   []Count // build scripts using each tool
	Native                  []NativeTotal
	TopExtern, TopNative    []CrateCount // crates with the most foreign fns / native bytes
	Skipped                 []Count      // skipped regions by reason
	SkipExamples            []string
	ExternFns, ExternBlocks int
	UnsafeBlocks            int
	Errors                  []string // the first few analysis errors
}

// Share is the number of crates with a property.
type Share struct {
	Label string
	N     int
	Of    int
}

// Pct is the share in percent.
func (s Share) Pct() float64 {
	if s.Of == 0 {
		return 0
	}
	return 100 * float64(s.N) / float64(s.Of)
}

// Count is a labelled number.
type Count struct {
	Label string
	N     int
}

// NativeTotal counts bundled native sources of one language across crates.
type NativeTotal struct {
	Lang   string
	Crates int
	Files  int
	Bytes  int64
}

// CrateCount is a crate and a number.
type CrateCount struct {
	Crate string
	N     int64
	Note  string
}

const reportTop = 20

// Summarize builds the report from analysis records.
func Summarize(records []Record) *FFIReport {
	r := &FFIReport{}
	type pred struct {
		label string
		f     func(*Facts) bool
	}
	preds := []pred{
		{"any FFI (extern, #[link], links, exported fn or native code)", func(f *Facts) bool { return f.FFI.HasFFI() }},
		{"extern blocks", func(f *Facts) bool { return f.FFI.ExternBlocks > 0 }},
		{"#[link(name)] attributes", func(f *Facts) bool { return len(f.FFI.LinkNames) > 0 }},
		{"build script linking a library (cargo:rustc-link-lib)", func(f *Facts) bool { return len(f.FFI.BuildLinkLibs) > 0 }},
		{"#[wasm_bindgen] extern blocks (JavaScript imports)", func(f *Facts) bool { return f.FFI.WasmBindgenBlocks > 0 }},
		{"links key in Cargo.toml", func(f *Facts) bool { return f.FFI.Links != "" }},
		{"named *-sys", func(f *Facts) bool { return f.FFI.SysName }},
		{"exported extern fns", func(f *Facts) bool { return f.FFI.ExportedFns > 0 }},
		{"#[no_mangle] / #[export_name]", func(f *Facts) bool { return f.FFI.NoMangle > 0 }},
		{"build script", func(f *Facts) bool { return f.FFI.BuildScript != "" }},
		{"build script using native tools", func(f *Facts) bool { return len(f.FFI.BuildTools) > 0 }},
		{"bundled C/C++/asm sources", func(f *Facts) bool { return f.FFI.NativeFiles() > 0 }},
		{"unsafe code (block, fn, impl or trait)", func(f *Facts) bool {
			u := f.Unsafe
			return u.Blocks+u.Fns+u.Impls+u.Traits > 0
		}},
		{"unsafe blocks", func(f *Facts) bool { return f.Unsafe.Blocks > 0 }},
		{"proc-macro crates", func(f *Facts) bool { return f.ProcMacro }},
	}
	counts := make([]int, len(preds))
	abis, tools, skipped := map[string]int{}, map[string]int{}, map[string]int{}
	native := map[string]*NativeTotal{}
	var ext, nat []CrateCount
	for _, rec := range records {
		if rec.Facts == nil {
			r.Failed++
			if len(r.Errors) < 10 {
				r.Errors = append(r.Errors, rec.Error)
			}
			continue
		}
		f := rec.Facts
		r.Crates++
		r.Files += f.Files
		r.Bytes += f.Bytes
		r.Lines += f.Lines
		r.ExternFns += f.FFI.ExternFns
		r.ExternBlocks += f.FFI.ExternBlocks
		r.UnsafeBlocks += f.Unsafe.Blocks
		for i, p := range preds {
			if p.f(f) {
				counts[i]++
			}
		}
		for a, n := range f.FFI.ByABI {
			abis[a] += n
		}
		for _, t := range f.FFI.BuildTools {
			tools[t]++
		}
		var nb int64
		for l, n := range f.FFI.Native {
			t := native[l]
			if t == nil {
				t = &NativeTotal{Lang: l}
				native[l] = t
			}
			t.Crates++
			t.Files += n.Files
			t.Bytes += n.Bytes
			nb += n.Bytes
		}
		name := f.Name + " " + f.Version
		if f.FFI.ExternFns > 0 {
			libs := slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(f.FFI.LinkNames), f.FFI.BuildLinkLibs...))))
			ext = append(ext, CrateCount{name, int64(f.FFI.ExternFns), strings.Join(libs, " ")})
		}
		if nb > 0 {
			nat = append(nat, CrateCount{name, nb, strings.Join(f.FFI.BuildTools, " ")})
		}
		for k, n := range f.Skipped {
			skipped[k] += n
		}
		for _, ex := range f.SkipExamples {
			for _, e := range ex {
				if len(r.SkipExamples) < 30 {
					r.SkipExamples = append(r.SkipExamples, name+": "+e)
				}
			}
		}
	}
	for i, p := range preds {
		r.Shares = append(r.Shares, Share{p.label, counts[i], r.Crates})
	}
	r.ABIs, r.Tools, r.Skipped = sortedCounts(abis), sortedCounts(tools), sortedCounts(skipped)
	for _, t := range native {
		r.Native = append(r.Native, *t)
	}
	slices.SortFunc(r.Native, func(a, b NativeTotal) int {
		return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), strings.Compare(a.Lang, b.Lang))
	})
	r.TopExtern, r.TopNative = top(ext), top(nat)
	return r
}

func sortedCounts(m map[string]int) []Count {
	var out []Count
	for k, n := range m {
		out = append(out, Count{k, n})
	}
	slices.SortFunc(out, func(a, b Count) int { return cmp.Or(b.N-a.N, strings.Compare(a.Label, b.Label)) })
	return out
}

func top(cs []CrateCount) []CrateCount {
	slices.SortFunc(cs, func(a, b CrateCount) int { return cmp.Or(cmp.Compare(b.N, a.N), strings.Compare(a.Crate, b.Crate)) })
	return cs[:min(len(cs), reportTop)]
}

// WriteText prints the report as aligned text.
func (r *FFIReport) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Where is the C? %d crates analysed (%d failed), %d .rs files, %.1f MB, %d lines\n", r.Crates, r.Failed, r.Files, float64(r.Bytes)/1e6, r.Lines)
	fmt.Fprintf(tw, "%d extern blocks declaring %d foreign functions; %d unsafe blocks\n\n", r.ExternBlocks, r.ExternFns, r.UnsafeBlocks)
	fmt.Fprintln(tw, "crates with\tcount\tshare")
	for _, s := range r.Shares {
		fmt.Fprintf(tw, "%s\t%d\t%.1f%%\n", s.Label, s.N, s.Pct())
	}
	section := func(title string, cs []Count) {
		if len(cs) == 0 {
			return
		}
		fmt.Fprintf(tw, "\n%s\n", title)
		for _, c := range cs {
			fmt.Fprintf(tw, "  %s\t%d\n", c.Label, c.N)
		}
	}
	section("extern blocks by ABI", r.ABIs)
	section("build scripts using", r.Tools)
	if len(r.Native) > 0 {
		fmt.Fprintln(tw, "\nbundled native sources\tcrates\tfiles\tMB")
		for _, n := range r.Native {
			fmt.Fprintf(tw, "  %s\t%d\t%d\t%.1f\n", n.Lang, n.Crates, n.Files, float64(n.Bytes)/1e6)
		}
	}
	list := func(title string, cs []CrateCount, unit func(int64) string) {
		if len(cs) == 0 {
			return
		}
		fmt.Fprintf(tw, "\n%s\n", title)
		for _, c := range cs {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", c.Crate, unit(c.N), c.Note)
		}
	}
	list("crates with the most foreign functions (with #[link] and build-script link libraries)", r.TopExtern, func(n int64) string { return fmt.Sprint(n) })
	list("crates with the most bundled native code (with build tools)", r.TopNative, func(n int64) string { return fmt.Sprintf("%.2f MB", float64(n)/1e6) })
	section("skipped regions by reason", r.Skipped)
	for _, e := range r.SkipExamples {
		fmt.Fprintf(tw, "  e.g. %s\n", e)
	}
	if len(r.Errors) > 0 {
		fmt.Fprintln(tw, "\nanalysis errors (first 10)")
		for _, e := range r.Errors {
			fmt.Fprintf(tw, "  %s\n", e)
		}
	}
	return tw.Flush()
}

// bar is one bar of an SVG chart.
type bar struct {
	Label string
	Value string
	Y     int
	W     float64
}

// chart is a horizontal bar chart drawn as inline SVG.
type chart struct {
	Title  string
	Bars   []bar
	Height int
}

const chartWidth = 360.0

func newChart(title string, labels []string, values []float64, format func(float64) string, maxV float64) chart {
	c := chart{Title: title, Height: 22*len(labels) + 4}
	if maxV == 0 {
		for _, v := range values {
			maxV = max(maxV, v)
		}
	}
	for i, l := range labels {
		w := 0.0
		if maxV > 0 {
			w = chartWidth * values[i] / maxV
		}
		c.Bars = append(c.Bars, bar{Label: l, Value: format(values[i]), Y: 22 * i, W: max(w, 1)})
	}
	return c
}

// Charts returns the report's charts (shares, ABIs, tools, native code, top crates).
func (r *FFIReport) charts() []chart {
	var cs []chart
	var l []string
	var v []float64
	for _, s := range r.Shares {
		l, v = append(l, s.Label), append(v, s.Pct())
	}
	cs = append(cs, newChart("Share of crates", l, v, func(x float64) string { return fmt.Sprintf("%.1f%%", x) }, 100))
	counts := func(title string, in []Count) {
		if len(in) == 0 {
			return
		}
		l, v = nil, nil
		for _, c := range in {
			l, v = append(l, c.Label), append(v, float64(c.N))
		}
		cs = append(cs, newChart(title, l, v, func(x float64) string { return fmt.Sprint(int(x)) }, 0))
	}
	counts("Extern blocks by ABI", r.ABIs)
	counts("Build scripts using a native tool", r.Tools)
	if len(r.Native) > 0 {
		l, v = nil, nil
		for _, n := range r.Native {
			l, v = append(l, fmt.Sprintf("%s (%d crates, %d files)", n.Lang, n.Crates, n.Files)), append(v, float64(n.Bytes)/1e6)
		}
		cs = append(cs, newChart("Bundled native sources (MB)", l, v, func(x float64) string { return fmt.Sprintf("%.1f MB", x) }, 0))
	}
	crates := func(title string, in []CrateCount, f func(float64) string, scale float64) {
		if len(in) == 0 {
			return
		}
		l, v = nil, nil
		for _, c := range in {
			l, v = append(l, c.Crate), append(v, float64(c.N)/scale)
		}
		cs = append(cs, newChart(title, l, v, f, 0))
	}
	crates("Crates with the most foreign functions", r.TopExtern, func(x float64) string { return fmt.Sprint(int(x)) }, 1)
	crates("Crates with the most bundled native code (MB)", r.TopNative, func(x float64) string { return fmt.Sprintf("%.2f", x) }, 1e6)
	counts("Skipped regions by reason", r.Skipped)
	return cs
}

var htmlReport = template.Must(template.New("ffi").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Where is the C? FFI report</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em auto;max-width:60em;color:#222}
h1{font-size:1.5em}h2{font-size:1.1em;margin-top:2em}
table{border-collapse:collapse}td,th{padding:2px 10px;text-align:left}td.n{text-align:right}
svg text{font-size:12px}.bar{fill:#4a78b5}.err{color:#900}
</style></head><body>
<h1>Where is the C?</h1>
<p>{{.R.Crates}} crates analysed ({{.R.Failed}} failed): {{.R.Files}} .rs files, {{printf "%.1f" .MB}} MB, {{.R.Lines}} lines.
{{.R.ExternBlocks}} extern blocks declare {{.R.ExternFns}} foreign functions; {{.R.UnsafeBlocks}} unsafe blocks.</p>
{{range .Charts}}<h2>{{.Title}}</h2>
<svg xmlns="http://www.w3.org/2000/svg" width="900" height="{{.Height}}" role="img" aria-label="{{.Title}}">
{{range .Bars}}<text x="0" y="{{.Y}}" dy="15">{{.Label}}</text><rect class="bar" x="420" y="{{.Y}}" width="{{printf "%.1f" .W}}" height="18"/><text x="{{printf "%.1f" .W}}" dx="426" y="{{.Y}}" dy="15">{{.Value}}</text>
{{end}}</svg>
{{end}}
{{if .R.TopExtern}}<h2>Foreign functions: top crates</h2><table><tr><th>crate</th><th>foreign fns</th><th>libraries linked</th></tr>
{{range .R.TopExtern}}<tr><td>{{.Crate}}</td><td class="n">{{.N}}</td><td>{{.Note}}</td></tr>{{end}}</table>{{end}}
{{if .R.SkipExamples}}<h2>Skipped regions: examples</h2><ul>{{range .R.SkipExamples}}<li><code>{{.}}</code></li>{{end}}</ul>{{end}}
{{if .R.Errors}}<h2>Analysis errors</h2><ul class="err">{{range .R.Errors}}<li>{{.}}</li>{{end}}</ul>{{end}}
</body></html>
`))

// WriteHTML writes a self-contained HTML page with inline SVG charts (no external assets).
func (r *FFIReport) WriteHTML(w io.Writer) error {
	return htmlReport.Execute(w, struct {
		R      *FFIReport
		MB     float64
		Charts []chart
	}{r, float64(r.Bytes) / 1e6, r.charts()})
}
