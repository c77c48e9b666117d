package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cratewatch/cratewatch/callgraph"
)

func init() {
	group := &cobra.Command{Use: "export", Short: "Export data for other tools"}
	var (
		gf  cgFlags
		out string
	)
	neo := &cobra.Command{
		Use:   "neo4j",
		Short: "Write the call graph as CSV files for neo4j-admin database import, with Cypher constraints",
		Long: `Write crates.csv, functions.csv, depends_on.csv, defines.csv and calls.csv for
neo4j-admin database import full, constraints.cypher to run afterwards, and import.sh with the
command line.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			g, err := gf.graph(cmd)
			if err != nil {
				return err
			}
			if err := callgraph.ExportNeo4j(g, out); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %v to %s (%d functions, %d calls)\n", callgraph.Neo4jFiles, out, len(g.Fns), len(g.Edges()))
			return nil
		},
	}
	gf.register(neo)
	neo.Flags().StringVar(&out, "out", "neo4j-import", "output directory")
	group.AddCommand(neo)
	rootCmd.AddCommand(group)
}
