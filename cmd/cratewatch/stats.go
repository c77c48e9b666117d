package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func init() {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Count crates, versions, yanked versions and dependency entries in the store",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := openStore(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			s, err := st.Stats(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd, s)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "crates:       %d\nversions:     %d (%d of them repeat an earlier index line of the same version)\nyanked:       %d\ndependencies: %d\n",
				s.Crates, s.Versions, s.Duplicates, s.Yanked, s.Deps)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	rootCmd.AddCommand(cmd)
}
