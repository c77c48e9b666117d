// Command cwedges builds cratewatch's call graph over a corpus directory and prints the edges out
// of the named crates' library functions, for eval/callgraph/eval.py to compare with rustc's.
//
// Output, tab-separated: F lines (crate, version, key, file:line of the definition) for the
// named crates' functions; E lines (crate, version, caller key, callee key, edge kind, callee has
// a body, call sites all under a #[cfg] false on x86_64 Linux, the caller's file:line); D lines for
// their dependencies' functions.
// A key is crate::Owner::name for methods and associated functions and the defining path
// otherwise, the form the eval's demangled symbols are reduced to.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/cratewatch/cratewatch/callgraph"
)

func main() {
	corpus := flag.String("corpus", "", "corpus directory")
	flag.Parse()
	want := map[string]bool{}
	for _, a := range flag.Args() {
		want[a] = true // name-version
	}
	b := &callgraph.Builder{}
	if _, err := b.LoadDir(context.Background(), *corpus, 0, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	g, err := b.Link(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "graph %+v\n", g.Stats)
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	key := func(fn int32) string {
		f := &g.Fns[fn]
		ident := strings.ReplaceAll(g.Crates[f.Crate].Name, "-", "_")
		if f.Owner != "" {
			return ident + "::" + f.Owner + "::" + f.Name
		}
		return f.Path
	}
	for _, c := range g.Crates {
		if !want[c.Name+"-"+c.Version] {
			continue
		}
		// The functions of its dependencies, so that the eval can tell a callee cratewatch
		// lacks from one it has but did not link.
		for _, d := range c.Deps {
			if d.Crate < 0 {
				continue
			}
			dc := &g.Crates[d.Crate]
			for fn := dc.FirstFn; fn < dc.EndFn; fn++ {
				fmt.Fprintf(w, "D\t%s\t%s\t%s\n", c.Name, c.Version, key(fn))
			}
		}
		for fn := c.FirstFn; fn < c.EndFn; fn++ {
			if g.Fns[fn].Flags&callgraph.FlagBin != 0 {
				continue
			}
			at := fmt.Sprintf("%s:%d", g.Files[g.Fns[fn].File], g.Fns[fn].Line)
			fmt.Fprintf(w, "F\t%s\t%s\t%s\t%s\n", c.Name, c.Version, key(fn), at)
			for _, e := range g.Callees(fn) {
				body := g.Fns[e.To].Flags&callgraph.FlagBody != 0
				fmt.Fprintf(w, "E\t%s\t%s\t%s\t%s\t%s\t%v\t%v\t%s\n", c.Name, c.Version, key(fn), key(e.To), e.Kind, body, e.CfgOff, at)
			}
		}
	}
}
