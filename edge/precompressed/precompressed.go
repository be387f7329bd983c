// Package precompressed makes and checks the brotli and gzip copies the
// edge serves its browser assets from: name.br and name.gz beside each
// file, made once at build time at each coding's best compression.
//
// For most uses, call [Compress] when the assets are built and [Check]
// when a server starts on them.
package precompressed

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/andybalholm/brotli"

	"github.com/sealpay/sealpay/edge/contentcoding"
)

// ErrCoding is returned by [Compress] and [Decompress] for a coding this
// package does not serve.
var ErrCoding = errors.New("precompressed: unknown coding")

// Compress returns b in coding c at that coding's best compression
// (brotli quality 11, gzip level 9). It is slow — seconds for a
// WebAssembly module — and meant to run once per file, never per request.
func Compress(c contentcoding.Coding, b []byte) ([]byte, error) {
	var buf bytes.Buffer
	var w io.WriteCloser
	switch c {
	case contentcoding.Identity:
		return bytes.Clone(b), nil
	case contentcoding.Brotli:
		w = brotli.NewWriterLevel(&buf, brotli.BestCompression)
	case contentcoding.Gzip:
		gw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		if err != nil {
			return nil, err
		}
		w = gw
	default:
		return nil, ErrCoding
	}
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Decompress returns the bytes that b, in coding c, decodes to. It reads at
// most limit decoded bytes and fails past them, so a corrupt or hostile
// copy cannot exhaust memory.
func Decompress(c contentcoding.Coding, b []byte, limit int64) ([]byte, error) {
	var r io.Reader
	switch c {
	case contentcoding.Identity:
		r = bytes.NewReader(b)
	case contentcoding.Brotli:
		r = brotli.NewReader(bytes.NewReader(b))
	case contentcoding.Gzip:
		gr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		gr.Multistream(false)
		r = gr
	default:
		return nil, ErrCoding
	}
	out, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(out)) > limit {
		return nil, errors.New("precompressed: decoded data over the limit")
	}
	return out, nil
}

// Check reports an error unless every brotli and gzip copy in fsys
// (name.br, name.gz) decodes to exactly the file beside it: a server must
// never send a representation of other bytes than the ones the pages pin.
func Check(fsys fs.FS) error {
	entries, err := fs.ReadDir(fsys, ".")
	if errors.Is(err, fs.ErrNotExist) {
		return nil // no assets, no copies: the edge serves none
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		var id []byte
		for _, c := range []contentcoding.Coding{contentcoding.Brotli, contentcoding.Gzip} {
			z, err := fs.ReadFile(fsys, e.Name()+c.Suffix())
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return err
			}
			if id == nil {
				if id, err = fs.ReadFile(fsys, e.Name()); err != nil {
					return err
				}
			}
			dec, err := Decompress(c, z, int64(len(id)))
			if err != nil || !bytes.Equal(dec, id) {
				return fmt.Errorf("precompressed: %s%s does not decode to %s: %w", e.Name(), c.Suffix(), e.Name(), ErrMismatch)
			}
		}
	}
	return nil
}

// ErrMismatch is returned by [Check] for a copy that does not decode to
// its file.
var ErrMismatch = errors.New("precompressed: copy differs from its file")
