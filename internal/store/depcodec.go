package store

import (
	"encoding/binary"
	"errors"

	"github.com/cratewatch/cratewatch/index"
)

// A version's dependencies are stored as one compact value instead of one row each: the 2020
// crates.io index has 1.5 million dependency entries over 259,000 versions, and a row per entry
// made both the ingest and the graph scan pay per-row driver costs six times over.
//
// Format 1: a format byte, then per dependency a flags byte (kind in bits 0-1, optional bit 2,
// default_features bit 3), five uvarint-length-prefixed strings (name, package, req, target,
// registry), a uvarint feature count and that many length-prefixed feature names.
const depFormat = 1

// maxDepString bounds one decoded string; index lines are bounded far below this.
const maxDepString = 1 << 20

func encodeDeps(deps []index.Dep) []byte {
	n := 1
	for i := range deps {
		d := &deps[i]
		n += 1 + 6*binary.MaxVarintLen32 + len(d.Name) + len(d.Package) + len(d.Req) + len(d.Target) + len(d.Registry)
		for _, f := range d.Features {
			n += len(f) + binary.MaxVarintLen32
		}
	}
	b := make([]byte, 0, n)
	b = append(b, depFormat)
	for i := range deps {
		d := &deps[i]
		flags := byte(d.Kind) & 3
		if d.Optional {
			flags |= 4
		}
		if d.DefaultFeatures {
			flags |= 8
		}
		b = append(b, flags)
		for _, s := range [...]string{d.Name, d.Package, d.Req, d.Target, d.Registry} {
			b = binary.AppendUvarint(b, uint64(len(s)))
			b = append(b, s...)
		}
		b = binary.AppendUvarint(b, uint64(len(d.Features)))
		for _, f := range d.Features {
			b = binary.AppendUvarint(b, uint64(len(f)))
			b = append(b, f...)
		}
	}
	return b
}

var errDepCodec = errors.New("corrupt stored dependency list")

// interner makes repeated strings share memory; nil interns nothing.
type interner map[string]string

func (in interner) str(b []byte) string {
	if in == nil {
		return string(b)
	}
	if s, ok := in[string(b)]; ok {
		return s
	}
	s := string(b)
	in[s] = s
	return s
}

// decodeDeps appends the dependencies in b to out. withFeatures false leaves Features nil,
// which graph scans do not need.
func decodeDeps(out []index.Dep, b []byte, in interner, withFeatures bool) ([]index.Dep, error) {
	if len(b) == 0 {
		return out, nil
	}
	if b[0] != depFormat {
		return out, errDepCodec
	}
	b = b[1:]
	next := func() ([]byte, bool) {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > maxDepString || n > uint64(len(b)-k) {
			return nil, false
		}
		s := b[k : k+int(n)]
		b = b[k+int(n):]
		return s, true
	}
	for len(b) > 0 {
		flags := b[0]
		b = b[1:]
		var f [5][]byte
		for i := range f {
			var ok bool
			if f[i], ok = next(); !ok {
				return out, errDepCodec
			}
		}
		d := index.Dep{
			Kind:            index.DepKind(flags & 3),
			Optional:        flags&4 != 0,
			DefaultFeatures: flags&8 != 0,
			Name:            in.str(f[0]),
			Package:         in.str(f[1]),
			Req:             in.str(f[2]),
			Target:          in.str(f[3]),
			Registry:        in.str(f[4]),
		}
		nf, k := binary.Uvarint(b)
		if k <= 0 || nf > uint64(len(b)) {
			return out, errDepCodec
		}
		b = b[k:]
		if withFeatures {
			d.Features = make([]string, 0, nf)
		}
		for range nf {
			s, ok := next()
			if !ok {
				return out, errDepCodec
			}
			if withFeatures {
				d.Features = append(d.Features, in.str(s))
			}
		}
		out = append(out, d)
	}
	return out, nil
}
