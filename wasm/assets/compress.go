//go:build !js

package assets

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/sealpay/sealpay/edge/contentcoding"
	"github.com/sealpay/sealpay/edge/precompressed"
)

// compressedCodings are the codings Build writes copies in.
var compressedCodings = []contentcoding.Coding{contentcoding.Brotli, contentcoding.Gzip}

// compressAll returns every file's compressed copies, by name and coding,
// computing them on all cores or taking them from cacheDir.
func compressAll(files map[string][]byte, cacheDir string) (map[string]map[contentcoding.Coding][]byte, error) {
	if cacheDir == "" {
		if d, err := os.UserCacheDir(); err == nil {
			cacheDir = filepath.Join(d, "sealpay", "compressed")
		}
	}
	type job struct {
		name string
		c    contentcoding.Coding
	}
	out := map[string]map[contentcoding.Coding][]byte{}
	var jobs []job
	for name := range files {
		out[name] = map[contentcoding.Coding][]byte{}
		for _, c := range compressedCodings {
			jobs = append(jobs, job{name, c})
		}
	}
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
		sem      = make(chan struct{}, runtime.GOMAXPROCS(0))
	)
	for _, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			b, err := compressCached(files[j.name], j.c, cacheDir)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = fmt.Errorf("assets: compressing %s: %w", j.name, err)
			}
			out[j.name][j.c] = b
		}()
	}
	wg.Wait()
	return out, firstErr
}

// compressCached returns b in coding c, from cacheDir when a copy there
// decodes to b, else compressed and stored there (best effort).
func compressCached(b []byte, c contentcoding.Coding, cacheDir string) ([]byte, error) {
	var path string
	if cacheDir != "" {
		sum := sha256.Sum256(b)
		path = filepath.Join(cacheDir, hex.EncodeToString(sum[:])+c.Suffix())
		if z, err := os.ReadFile(path); err == nil {
			if dec, err := precompressed.Decompress(c, z, int64(len(b))); err == nil && bytes.Equal(dec, b) {
				return z, nil
			}
		}
	}
	z, err := precompressed.Compress(c, b)
	if err != nil {
		return nil, err
	}
	if path != "" && os.MkdirAll(cacheDir, 0o755) == nil {
		tmp, err := os.CreateTemp(cacheDir, ".tmp-*")
		if err == nil {
			_, werr := tmp.Write(z)
			if cerr := tmp.Close(); werr == nil && cerr == nil {
				os.Rename(tmp.Name(), path)
			}
			os.Remove(tmp.Name())
		}
	}
	return z, nil
}

// manifestFile is one file of [Manifest].
type manifestFile struct {
	SHA256  string         `json:"sha256"`  // hex SHA-256 of the file: its ETags derive from it
	Digest  string         `json:"digest"`  // its content address, [Digest]
	Codings map[string]int `json:"codings"` // the length of each representation, by coding
}

// writeCompressed writes the compressed copies beside their files and
// the manifest describing them all.
func writeCompressed(dir string, files map[string][]byte, compressed map[string]map[contentcoding.Coding][]byte) error {
	copies := map[string][]byte{}
	manifest := map[string]manifestFile{}
	for name, b := range files {
		sum := sha256.Sum256(b)
		m := manifestFile{SHA256: hex.EncodeToString(sum[:]), Digest: Digest(b), Codings: map[string]int{string(contentcoding.Identity): len(b)}}
		for c, z := range compressed[name] {
			copies[name+c.Suffix()] = z
			m.Codings[string(c)] = len(z)
		}
		manifest[name] = m
	}
	for name, z := range copies {
		if err := writeFile(filepath.Join(dir, name), z); err != nil {
			return err
		}
	}
	b, err := json.MarshalIndent(map[string]any{"files": manifest}, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, Manifest), append(b, '\n'))
}

// writeFile writes b to path through a temporary name.
func writeFile(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
