package main

import (
	"fmt"
	"strings"

	"github.com/cratewatch/cratewatch/internal/store"
	"github.com/spf13/cobra"
)

func init() {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "crate NAME[@VERSION]",
		Short: "Show what the store knows of a crate: versions, dependencies, yanks, checksums",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, want, _ := strings.Cut(args[0], "@")
			st, err := openStore(cmd)
			if err != nil {
				return err
			}
			defer st.Close()
			c, err := st.Crate(cmd.Context(), name)
			if err != nil {
				return err
			}
			if want != "" {
				var keep []store.Version
				for _, v := range c.Versions {
					if v.Num == want {
						keep = append(keep, v)
					}
				}
				if keep == nil {
					return fmt.Errorf("crate %s has no version %s: %w", c.Name, want, store.ErrNotFound)
				}
				c.Versions = keep
			}
			if asJSON {
				return printJSON(cmd, c)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "%s: %d versions, first seen %s\n", c.Name, len(c.Versions), c.FirstSeen.Format("2006-01-02 15:04:05Z07:00"))
			if c.Removed != nil {
				fmt.Fprintf(w, "  REMOVED from the index, seen %s\n", c.Removed.Format("2006-01-02 15:04:05Z07:00"))
			}
			for _, v := range c.Versions {
				flag := ""
				if v.Yanked {
					flag = "  [yanked]"
				}
				fmt.Fprintf(w, "%s %s  cksum %s%s\n", c.Name, v.Num, v.Cksum, flag)
				for _, e := range v.YankEvents {
					what := "unyanked"
					if e.Yanked {
						what = "yanked"
					}
					fmt.Fprintf(w, "    %s, seen %s\n", what, e.Seen.Format("2006-01-02 15:04:05Z07:00"))
				}
				if want == "" {
					continue
				}
				for _, d := range v.Deps {
					extra := d.Kind.String()
					if d.Optional {
						extra += ", optional"
					}
					if d.Target != "" {
						extra += ", target " + d.Target
					}
					if d.Package != "" {
						extra += ", renamed from " + d.Package
					}
					fmt.Fprintf(w, "    %s %s (%s)\n", d.Name, d.Req, extra)
				}
			}
			if want == "" && len(c.Versions) > 0 {
				fmt.Fprintf(w, "(name a version, %s@%s, to list its dependencies)\n", c.Name, c.Versions[len(c.Versions)-1].Num)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	rootCmd.AddCommand(cmd)
}
