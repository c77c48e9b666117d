package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"

	"github.com/cratewatch/cratewatch/callgraph"
)

// cgFlags choose where the call graph comes from: built from a corpus directory (and then
// optionally saved in the store), or loaded from the store.
type cgFlags struct {
	corpus     string
	save       bool
	noMacros   bool
	memLimitMB int
	linux      bool
}

func (gf *cgFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&gf.corpus, "corpus", "", "build the call graph from this directory of crate directories or .crate files instead of loading it from the store")
	cmd.Flags().BoolVar(&gf.save, "save", false, "with --corpus: save the built graph in the store")
	cmd.Flags().BoolVar(&gf.noMacros, "no-macros", false, "with --corpus: index the code as written, without expanding macro_rules! invocations")
	cmd.Flags().IntVar(&gf.memLimitMB, "memory-limit", 1536, "with --corpus: soft memory limit of the build in MiB (the garbage collector works harder near it); 0 for none; the GOMEMLIMIT environment variable takes precedence")
	cmd.Flags().BoolVar(&gf.linux, "linux", false, "follow only the calls an x86_64 Linux build makes (leave out code under a #[cfg] false there); --save still saves every platform's")
}

// graph loads or builds the call graph the flags name, seen as --linux asks.
func (gf *cgFlags) graph(cmd *cobra.Command) (*callgraph.Graph, error) {
	g, err := gf.load(cmd)
	if err != nil || !gf.linux {
		return g, err
	}
	return g.OnLinux(), nil
}

func (gf *cgFlags) load(cmd *cobra.Command) (*callgraph.Graph, error) {
	if gf.corpus == "" {
		cs, closeStore, err := callGraphStore(cmd)
		if err != nil {
			return nil, err
		}
		defer closeStore()
		g, err := cs.LoadCallGraph(cmd.Context())
		if err == nil && len(g.Fns) == 0 {
			err = fmt.Errorf("the store holds no call graph: build one with --corpus DIR --save")
		}
		return g, err
	}
	start := time.Now()
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set && gf.memLimitMB > 0 {
		debug.SetMemoryLimit(int64(gf.memLimitMB) << 20)
	}
	b := &callgraph.Builder{NoMacros: gf.noMacros}
	var progress func(done, total int)
	if fi, err := os.Stderr.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		progress = func(done, total int) {
			if done%20 == 0 || done == total {
				fmt.Fprintf(os.Stderr, "\rreading crates %d/%d", done, total)
			}
		}
	}
	errs, err := b.LoadDir(cmd.Context(), gf.corpus, 0, progress)
	if progress != nil {
		fmt.Fprintln(os.Stderr)
	}
	if err != nil {
		return nil, err
	}
	for _, e := range errs {
		fmt.Fprintln(os.Stderr, "cratewatch: skipped:", e)
	}
	g, err := b.Link(cmd.Context())
	if err != nil {
		return nil, err
	}
	s := g.Stats
	fmt.Fprintf(os.Stderr, "call graph: %d crates, %d functions, %d edges (%d exact, %d trait, %d approximate), %d macro invocations expanded (%d did not) in %.1fs\n",
		s.Crates, s.Functions, s.Exact+s.Trait+s.Approximate, s.Exact, s.Trait, s.Approximate, s.MacrosExpanded, s.MacrosFailed, time.Since(start).Seconds())
	if gf.save {
		cs, closeStore, err := callGraphStore(cmd)
		if err != nil {
			return nil, err
		}
		defer closeStore()
		if err := cs.SaveCallGraph(cmd.Context(), g); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// callGraphStore opens the store named by --db as a call graph store.
func callGraphStore(cmd *cobra.Command) (callgraph.Store, func() error, error) {
	st, err := openStore(cmd)
	if err != nil {
		return nil, nil, err
	}
	cs, ok := st.(callgraph.Store)
	if !ok {
		st.Close()
		return nil, nil, fmt.Errorf("store %T cannot hold a call graph", st)
	}
	return cs, st.Close, nil
}

func init() {
	var (
		gf         cgFlags
		transitive bool
		exactOnly  bool
		asJSON     bool
	)
	cmd := &cobra.Command{
		Use:   "callers PATH::TO::FN",
		Short: "List the functions that call a function, directly or transitively, with call sites",
		Long: `Find the function a Rust path names (its defining path, a public re-export path, or
crate::Type::method) in every crate version of the graph, and list its callers with the call site.
With --transitive, list every function that reaches it, with one shortest call path each.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			g, err := gf.graph(cmd)
			if err != nil {
				return err
			}
			targets := g.Lookup(args[0])
			if len(targets) == 0 {
				return &exitError{2, fmt.Errorf("no function %s in the call graph", args[0])}
			}
			maxKind := callgraph.EdgeApprox
			if exactOnly {
				maxKind = callgraph.EdgeTrait
			}
			type caller struct {
				Function string `json:"function"`
				Crate    string `json:"crate"`
				Version  string `json:"version"`
				Kind     string `json:"kind,omitempty"`
				At       string `json:"at,omitempty"`
				// OtherPlatform: the call is compiled only on platforms other than x86_64 Linux.
				OtherPlatform bool             `json:"other_platform,omitempty"`
				Path          []callgraph.Step `json:"path,omitempty"`
			}
			var out []caller
			if transitive {
				r := g.TransitiveCallers(targets, maxKind)
				for _, fn := range r.Order {
					c := g.CrateOf(fn)
					out = append(out, caller{Function: g.Fns[fn].Path, Crate: c.Name, Version: c.Version, Path: g.Steps(r.Path(fn))})
				}
			} else {
				for _, t := range targets {
					for _, e := range g.Callers(t) {
						if e.Kind > maxKind {
							continue
						}
						c, s := g.CrateOf(e.From), g.Steps([]callgraph.Edge{e})[0]
						out = append(out, caller{Function: g.Fns[e.From].Path, Crate: c.Name, Version: c.Version, Kind: s.Kind, At: s.At,
							OtherPlatform: s.OtherPlatform})
					}
				}
			}
			if asJSON {
				var ts []string
				for _, t := range targets {
					ts = append(ts, g.Fns[t].Path+" "+g.CrateOf(t).Version)
				}
				return printJSON(cmd, map[string]any{"targets": ts, "callers": out})
			}
			w := cmd.OutOrStdout()
			for _, t := range targets {
				fmt.Fprintf(w, "target %s (%s %s)\n", g.Fns[t].Path, g.CrateOf(t).Name, g.CrateOf(t).Version)
			}
			for _, c := range out {
				if transitive {
					fmt.Fprintf(w, "%s (%s %s), %d call(s) away\n", c.Function, c.Crate, c.Version, len(c.Path))
					for _, s := range c.Path {
						fmt.Fprintf(w, "    %s -> %s  [%s] %s\n", s.Caller, s.Callee, s.Label(), s.At)
					}
				} else {
					s := callgraph.Step{Kind: c.Kind, OtherPlatform: c.OtherPlatform}
					fmt.Fprintf(w, "%s (%s %s)  [%s] %s\n", c.Function, c.Crate, c.Version, s.Label(), c.At)
				}
			}
			fmt.Fprintf(w, "%d caller(s)\n", len(out))
			return nil
		},
	}
	gf.register(cmd)
	cmd.Flags().BoolVar(&transitive, "transitive", false, "every function that reaches the target, with a shortest call path")
	cmd.Flags().BoolVar(&exactOnly, "exact", false, "ignore approximate edges (method calls on receivers of unknown type)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	rootCmd.AddCommand(cmd)
}
