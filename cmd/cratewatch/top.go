package main

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/cratewatch/cratewatch/depgraph"
)

func init() {
	var n int
	var asJSON bool
	var by string
	var gf graphFlags
	cmd := &cobra.Command{
		Use:   "top",
		Short: "Most depended-on crates (reverse-dependency counts, direct and transitive)",
		Long: `Rank crates by how many crates depend on them: counted from each crate's newest version,
resolving every dependency the filter allows (default: normal and build, optional ones included)
to the highest version it admits, as a fresh lockfile would. Transitive counts follow those
resolutions; dev-dependencies count for the dependent only. Optional dependencies of
dependencies inflate transitive counts: --no-optional gives the always-built closure.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if n < 1 {
				return fmt.Errorf("-n %d: want at least 1", n)
			}
			if by != "direct" && by != "transitive" {
				return fmt.Errorf("--by %q: want direct or transitive", by)
			}
			f, err := gf.filter()
			if err != nil {
				return err
			}
			g, err := loadGraph(cmd)
			if err != nil {
				return err
			}
			pop := g.Popularity(f) // ranked by transitive count
			if by == "direct" {
				slices.SortStableFunc(pop, func(a, b depgraph.Popularity) int { return cmp.Compare(b.Direct, a.Direct) })
			}
			pop = pop[:min(n, len(pop))]
			if asJSON {
				type row struct {
					Crate      string `json:"crate"`
					Direct     int    `json:"direct"`
					Transitive int    `json:"transitive"`
				}
				rows := make([]row, len(pop))
				for i, p := range pop {
					rows[i] = row{p.Name, p.Direct, p.Transitive}
				}
				return printJSON(cmd, rows)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "%4s  %-40s %8s %10s\n", "rank", "crate", "direct", "transitive")
			for i, p := range pop {
				fmt.Fprintf(w, "%4d  %-40s %8d %10d\n", i+1, p.Name, p.Direct, p.Transitive)
			}
			return nil
		},
	}
	cmd.Flags().IntVarP(&n, "n", "n", 20, "how many crates to list")
	cmd.Flags().StringVar(&by, "by", "direct", "rank by direct or transitive dependents")
	gf.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	rootCmd.AddCommand(cmd)
}
