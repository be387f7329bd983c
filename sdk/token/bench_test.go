package token_test

import (
	"database/sql"
	"fmt"
	"github.com/sealpay/sealpay/edge/migrations"
	mrand "math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/sealpay/sealpay/sdk/card"
	"github.com/sealpay/sealpay/sdk/token"
)

// BenchmarkTokenize measures one Tokenize as the edge calls it (jti, CVC)
// against SQLite in a temporary file (WAL, default synchronous=FULL).
func BenchmarkTokenize(b *testing.B) {
	v, _, _ := newVault(b, newClock())
	rng := mrand.New(mrand.NewPCG(1, 1))
	c := card.Card{ExpMonth: 12, ExpYear: 2031, CVC: "123", Name: "A. Shopper"}
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		c.Number = luhnCard(rng)
		i++
		if _, err := v.Tokenize(ctx, "m_bench", c, "visa", token.TokenizeOptions{JTI: fmt.Sprint("jti-", i), JTIExpires: time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTokenizeParallel is BenchmarkTokenize from GOMAXPROCS
// goroutines, with the SQLite settings a server chooses between: the
// default synchronous=FULL (an fsync per commit), synchronous=NORMAL (WAL
// without an fsync per commit: the last commits may roll back on power
// loss), and NORMAL with one connection (writes queue in database/sql
// instead of in SQLite's sleeping busy handler).
func BenchmarkTokenizeParallel(b *testing.B) {
	for _, tc := range []struct {
		name   string
		pragma string
		conns  int
	}{
		{"full", "", 0},
		{"normal", "&_pragma=synchronous(NORMAL)", 0},
		{"normal-1conn", "&_pragma=synchronous(NORMAL)", 1},
	} {
		b.Run(tc.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "bench.db")
			db, err := sql.Open("sqlite", dsn(path)+tc.pragma)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			db.SetMaxOpenConns(tc.conns)
			if err := migrations.Apply(ctx, db); err != nil {
				b.Fatal(err)
			}
			v, err := token.NewSQLVault(db, kekSet(b, localKEK(b, "k")), token.Options{Now: newClock().Now})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				rng := mrand.New(mrand.NewPCG(mrand.Uint64(), 1))
				c := card.Card{ExpMonth: 12, ExpYear: 2031, CVC: "123"}
				for pb.Next() {
					c.Number = luhnCard(rng)
					if _, err := v.Tokenize(ctx, "m_bench", c, "visa", token.TokenizeOptions{JTI: fmt.Sprint(rng.Uint64()), JTIExpires: time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// BenchmarkReveal measures revealing number and expiry of a saved card.
func BenchmarkReveal(b *testing.B) {
	v, _, _ := newVault(b, newClock())
	s, err := v.Tokenize(ctx, "m_bench", card.Card{Number: "4242424242424242", ExpMonth: 12, ExpYear: 2031}, "visa", token.TokenizeOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Reveal(ctx, "m_bench", s.Token, token.FieldNumber, token.FieldExpMonth, token.FieldExpYear); err != nil {
			b.Fatal(err)
		}
	}
}
