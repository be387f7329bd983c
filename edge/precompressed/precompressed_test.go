package precompressed

import (
	"bytes"
	"errors"
	"testing"
	"testing/fstest"

	"github.com/sealpay/sealpay/edge/contentcoding"
)

func TestCompressRoundTrip(t *testing.T) {
	in := bytes.Repeat([]byte("sealpay browser asset "), 1000)
	for _, c := range contentcoding.Codings {
		z, err := Compress(c, in)
		if err != nil {
			t.Fatalf("Compress(%s): %v", c, err)
		}
		if c != contentcoding.Identity && len(z) >= len(in)/10 {
			t.Errorf("Compress(%s) of %d repetitive bytes = %d bytes, want far fewer", c, len(in), len(z))
		}
		out, err := Decompress(c, z, int64(len(in)))
		if err != nil || !bytes.Equal(out, in) {
			t.Errorf("Decompress(%s, Compress(%s, in)) = %d bytes, %v; want the %d bytes in", c, c, len(out), err, len(in))
		}
		if _, err := Decompress(c, z, int64(len(in)-1)); err == nil {
			t.Errorf("Decompress(%s) with a limit one byte short succeeded", c)
		}
	}
	if _, err := Compress("zstd", in); !errors.Is(err, ErrCoding) {
		t.Errorf("Compress(zstd) = %v, want ErrCoding", err)
	}
	if _, err := Decompress(contentcoding.Gzip, []byte("not gzip"), 100); err == nil {
		t.Error("Decompress(gzip) of garbage succeeded")
	}
	if _, err := Decompress(contentcoding.Brotli, []byte("not brotli at all"), 100); err == nil {
		t.Error("Decompress(br) of garbage succeeded")
	}
	// Two gzip members decode to the first only: a copy with a second
	// member appended is not what was built.
	z, _ := Compress(contentcoding.Gzip, []byte("a"))
	if out, err := Decompress(contentcoding.Gzip, append(z, z...), 10); err != nil || string(out) != "a" {
		t.Errorf("Decompress(gzip) of two members = %q, %v; want the first alone", out, err)
	}
}

func TestCheck(t *testing.T) {
	file := bytes.Repeat([]byte("frame.js "), 100)
	br, _ := Compress(contentcoding.Brotli, file)
	gz, _ := Compress(contentcoding.Gzip, file)
	other, _ := Compress(contentcoding.Brotli, append(bytes.Clone(file), '!'))
	good := fstest.MapFS{"frame.js": {Data: file}, "frame.js.br": {Data: br}, "frame.js.gz": {Data: gz}, "sealpay.js": {Data: []byte("no copies")}}
	if err := Check(good); err != nil {
		t.Errorf("Check(good copies) = %v", err)
	}
	for name, fsys := range map[string]fstest.MapFS{
		"another file's brotli": {"frame.js": {Data: file}, "frame.js.br": {Data: other}},
		"garbage gzip":          {"frame.js": {Data: file}, "frame.js.gz": {Data: []byte("nope")}},
		"truncated brotli":      {"frame.js": {Data: file}, "frame.js.br": {Data: br[:len(br)/2]}},
	} {
		if err := Check(fsys); !errors.Is(err, ErrMismatch) {
			t.Errorf("Check(%s) = %v, want ErrMismatch", name, err)
		}
	}
}
