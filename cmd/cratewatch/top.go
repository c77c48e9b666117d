package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cratewatch/cratewatch/depgraph"
)

func init() {
	var n int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "top",
		Short: "Most depended-on crates (reverse-dependency counts, direct and transitive)",
		Long: `Rank crates by how many crates depend on them: counted from each crate's newest version,
resolving every normal and build dependency (optional ones included) to the highest version it
admits, as a fresh lockfile would. Transitive counts follow those resolutions.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if n < 1 {
				return fmt.Errorf("-n %d: want at least 1", n)
			}
			g, err := loadGraph(cmd)
			if err != nil {
				return err
			}
			pop := g.Popularity(depgraph.Filter{})
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
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	rootCmd.AddCommand(cmd)
}
