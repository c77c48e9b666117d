package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cratewatch/cratewatch/tuf"
)

func init() {
	var rootFile, mirror, metaURL, stateFile string
	var noDownload bool
	var maxCrate int64
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "verify CRATE[@VERSION]",
		Short: "Verify a crate from a mirror against the registry's TUF metadata",
		Long: `verify fetches the timestamp, the snapshot Merkle proofs, the targets metadata and the
crate's index file from the mirror, checks signatures, expiry, versions and Merkle paths, then
downloads the .crate through config.json's dl and checks its sha256 against the verified index
line. Trust starts from --root and advances in --state (rollback protection across runs).
Exit status 0 verified, 1 failed.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, vers, _ := strings.Cut(args[0], "@")
			if metaURL == "" {
				metaURL = withSlash(mirror) + "tuf/"
			}
			if stateFile == "" {
				dir, err := os.UserCacheDir()
				if err != nil {
					return fmt.Errorf("no --state and no user cache directory: %w", err)
				}
				sum := sha256.Sum256([]byte(metaURL))
				stateFile = filepath.Join(dir, "cratewatch", "tuf", hex.EncodeToString(sum[:8])+".json")
				if err := os.MkdirAll(filepath.Dir(stateFile), 0o700); err != nil {
					return err
				}
			}
			st, err := tuf.LoadClientState(stateFile)
			if errors.Is(err, fs.ErrNotExist) {
				root, rerr := os.ReadFile(rootFile)
				if rerr != nil {
					return fmt.Errorf("trusted root: %w", rerr)
				}
				st, err = tuf.NewClientState(root)
			}
			if err != nil {
				return err
			}
			c := &tuf.Client{MetadataURL: withSlash(metaURL), IndexURL: withSlash(mirror), RequestTimeout: timeout, MaxCrateBytes: maxCrate, State: st}
			res, err := c.Verify(cmd.Context(), name, vers, !noDownload)
			if err != nil {
				return err
			}
			if err := st.Save(stateFile); err != nil {
				return err
			}
			return printJSON(cmd, res)
		},
	}
	cmd.Flags().StringVar(&rootFile, "root", "root.json", "trusted root.json, obtained out of band (first run)")
	cmd.Flags().StringVar(&mirror, "mirror", "", "sparse index base URL (config.json and index files)")
	cmd.Flags().StringVar(&metaURL, "metadata", "", "TUF metadata base URL (default MIRROR/tuf/)")
	cmd.Flags().StringVar(&stateFile, "state", "", "client state file (default in the user cache directory)")
	cmd.Flags().BoolVar(&noDownload, "no-download", false, "stop after verifying the index line")
	cmd.Flags().Int64Var(&maxCrate, "max-crate-bytes", 64<<20, "largest .crate accepted")
	cmd.Flags().DurationVar(&timeout, "timeout", time.Minute, "time limit per request")
	cmd.MarkFlagRequired("mirror")
	rootCmd.AddCommand(cmd)
}
