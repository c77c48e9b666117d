package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cratewatch/cratewatch/depgraph"
	"github.com/cratewatch/cratewatch/semver"
)

// loadGraph builds the dependency graph of the store named by --db.
func loadGraph(cmd *cobra.Command) (*depgraph.Graph, error) {
	st, err := openStore(cmd)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	g, err := depgraph.FromStore(cmd.Context(), st)
	if err != nil {
		return nil, err
	}
	if g.NumVersions() == 0 {
		return nil, fmt.Errorf("store %s holds no versions: run `cratewatch ingest` first", dbURL)
	}
	return g, nil
}

// graphFlags are the edge filters shared by rdeps and impact.
type graphFlags struct {
	kinds      string
	noOptional bool
	noTarget   bool
}

func (f *graphFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.kinds, "kind", "normal,build", "dependency kinds to follow: normal,build,dev (dev edges never propagate)")
	cmd.Flags().BoolVar(&f.noOptional, "no-optional", false, "skip optional dependencies")
	cmd.Flags().BoolVar(&f.noTarget, "no-target", false, "skip platform-specific dependencies")
}

func (f *graphFlags) filter() (depgraph.Filter, error) {
	k, err := depgraph.ParseKinds(f.kinds)
	if err != nil {
		return depgraph.Filter{}, fmt.Errorf("--kind: %w", err)
	}
	return depgraph.Filter{Kinds: k, NoOptional: f.noOptional, NoTarget: f.noTarget}, nil
}

func init() {
	var gf graphFlags
	var transitive, asJSON bool
	cmd := &cobra.Command{
		Use:   "rdeps CRATE[@REQ]",
		Short: "Reverse dependencies of a crate, or of the versions of it a requirement matches",
		Long: `List the crates whose versions can resolve to CRATE (any version, or the versions REQ
matches), directly or with --transitive through other crates. Yanked versions are never chosen.
Each dependent crate is shown with how many of its versions are reached, whether its newest
version is, and (with --transitive) one shortest chain.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := gf.filter()
			if err != nil {
				return err
			}
			name, reqText, hasReq := strings.Cut(args[0], "@")
			req := semver.Req{}
			if hasReq {
				if req, err = semver.ParseReq(reqText); err != nil {
					return fmt.Errorf("rdeps %q: %w", args[0], err)
				}
			}
			g, err := loadGraph(cmd)
			if err != nil {
				return err
			}
			c, ok := g.Crate(name)
			if !ok {
				return fmt.Errorf("rdeps: crate %q is not in the store", name)
			}
			var seeds []depgraph.VersionID
			if hasReq {
				seeds = g.Match(c, req)
			} else {
				first, end := g.Versions(c)
				for v := first; v < end; v++ {
					seeds = append(seeds, v)
				}
			}
			opt := depgraph.Options{Filter: f, MaxDepth: 1}
			if transitive {
				opt.MaxDepth = 0
			}
			r := g.Reverse(seeds, opt)
			type row struct {
				Crate         string `json:"crate"`
				Versions      int    `json:"versions_reached"`
				Total         int    `json:"total_versions"`
				NewestReached bool   `json:"newest_reached"`
				Depth         int    `json:"depth"`
				DevOnly       bool   `json:"dev_only,omitempty"`
				Chain         string `json:"chain"`
			}
			rows := []row{}
			reached := 0
			for _, cr := range r.Crates() {
				if cr.Crate == c {
					continue
				}
				pick := cr.First
				if cr.NewestStep >= 0 {
					pick = cr.NewestStep
				}
				reached += cr.Versions
				rows = append(rows, row{g.Name(cr.Crate), cr.Versions, cr.Total, cr.NewestReached && !cr.NewestDevOnly,
					int(cr.MinDepth), cr.DevOnly, g.FormatChain(r.Chain(pick))})
			}
			if asJSON {
				return printJSON(cmd, struct {
					Crate      string `json:"crate"`
					Req        string `json:"req,omitempty"`
					Seeds      int    `json:"seed_versions"`
					Transitive bool   `json:"transitive"`
					Crates     int    `json:"dependent_crates"`
					Versions   int    `json:"dependent_versions"`
					Dependents []row  `json:"dependents"`
				}{name, reqText, len(seeds), transitive, len(rows), reached, rows})
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "%d crates (%d versions) depend on %s (%d versions)%s\n", len(rows), reached, args[0], len(seeds),
				map[bool]string{true: ", transitively", false: ", directly"}[transitive])
			for _, x := range rows {
				mark := " "
				if x.NewestReached {
					mark = "*"
				}
				line := fmt.Sprintf("%s %-40s %5d/%-5d depth %d", mark, x.Crate, x.Versions, x.Total, x.Depth)
				if x.DevOnly {
					line += " (dev only)"
				}
				if transitive {
					line += "  " + x.Chain
				}
				fmt.Fprintln(w, line)
			}
			if len(rows) > 0 {
				fmt.Fprintln(w, "* newest version reached")
			}
			return nil
		},
	}
	gf.register(cmd)
	cmd.Flags().BoolVar(&transitive, "transitive", false, "follow dependents of dependents")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	rootCmd.AddCommand(cmd)
}
