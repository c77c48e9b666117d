package tuf

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"

	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// Key types accepted by GenerateKey.
const (
	KeyEd25519   = "ed25519"
	KeyECDSAP256 = "ecdsa-p256"
)

// maxKeyFile bounds a private key file; a PEM PKCS#8 P-256 key is under 300 bytes.
const maxKeyFile = 16 << 10

// Signer is a private key ready to sign metadata, with its TUF public key and key ID.
type Signer struct {
	signature.Signer
	Key  *metadata.Key
	ID   string
	priv crypto.PrivateKey
}

// GenerateKey creates a new ed25519 or ECDSA P-256 signing key.
func GenerateKey(keyType string) (*Signer, error) {
	var priv crypto.Signer
	var err error
	switch keyType {
	case KeyEd25519:
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	case KeyECDSAP256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		return nil, fmt.Errorf("key type %q: want %s or %s", keyType, KeyEd25519, KeyECDSAP256)
	}
	if err != nil {
		return nil, fmt.Errorf("generating %s key: %w", keyType, err)
	}
	return newSigner(priv)
}

func newSigner(priv crypto.PrivateKey) (*Signer, error) {
	var pub crypto.PublicKey
	switch k := priv.(type) {
	case ed25519.PrivateKey:
		pub = k.Public()
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("ECDSA key on curve %s: only P-256 is supported", k.Curve.Params().Name)
		}
		pub = k.Public()
	default:
		return nil, fmt.Errorf("private key of type %T: want ed25519 or ECDSA P-256", priv)
	}
	s, err := signature.LoadSigner(priv, crypto.SHA256)
	if err != nil {
		return nil, err
	}
	key, err := metadata.KeyFromPublicKey(pub)
	if err != nil {
		return nil, err
	}
	id, err := key.ID()
	if err != nil {
		return nil, err
	}
	return &Signer{Signer: s, Key: key, ID: id, priv: priv}, nil
}

// WriteKey writes the private key as PEM PKCS#8 to path, readable by its owner only, and
// refuses to overwrite an existing file so that a key is never lost by accident.
func WriteKey(path string, s *Signer) error {
	der, err := x509.MarshalPKCS8PrivateKey(s.priv)
	if err != nil {
		return fmt.Errorf("key file %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("key file: %w", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		return fmt.Errorf("key file %s: %w", path, err)
	}
	return f.Close()
}

// ReadKey loads a private key written by WriteKey.
func ReadKey(path string) (*Signer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	defer f.Close()
	data := make([]byte, maxKeyFile+1)
	n, _ := f.Read(data)
	if n > maxKeyFile {
		return nil, fmt.Errorf("key file %s: larger than %d bytes", path, maxKeyFile)
	}
	block, _ := pem.Decode(data[:n])
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("key file %s: no PEM \"PRIVATE KEY\" block", path)
	}
	priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	s, err := newSigner(priv)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return s, nil
}

// checkKeys rejects keys the verifier cannot use safely: go-tuf hands an ed25519 key of the
// wrong length to crypto/ed25519, which panics, so every key from hostile metadata is checked
// before any signature is verified with it.
func checkKeys(keys map[string]*metadata.Key) error {
	for id, k := range keys {
		if k == nil {
			return fmt.Errorf("key %.70s: null", id)
		}
		switch k.Type {
		case metadata.KeyTypeEd25519, metadata.KeyTypeECDSA_SHA2_P256, metadata.KeyTypeECDSA_SHA2_P256_COMPAT:
		default:
			return fmt.Errorf("key %.70s: type %.40q not supported (ed25519, ecdsa-sha2-nistp256)", id, k.Type)
		}
		pub, err := k.ToPublicKey()
		if err != nil {
			return fmt.Errorf("key %.70s: %w", id, err)
		}
		switch p := pub.(type) {
		case ed25519.PublicKey:
			if len(p) != ed25519.PublicKeySize {
				return fmt.Errorf("key %.70s: ed25519 public key of %d bytes", id, len(p))
			}
		case *ecdsa.PublicKey:
			if p.Curve != elliptic.P256() {
				return fmt.Errorf("key %.70s: ECDSA key not on P-256", id)
			}
		}
	}
	return nil
}
