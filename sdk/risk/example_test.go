package risk_test

import (
	"context"
	"database/sql"
	"fmt"
	"github.com/sealpay/sealpay/edge/migrations"
	"log"
	"net/netip"
	"time"

	_ "modernc.org/sqlite"

	"github.com/sealpay/sealpay/sdk/risk"
)

func ExampleLimiter() {
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file::memory:")
	if err != nil {
		log.Fatal(err)
	}
	db.SetMaxOpenConns(1) // every connection to :memory: is a new database
	defer db.Close()
	if err := migrations.Apply(ctx, db); err != nil { // the vault's migrations include risk's tables
		log.Fatal(err)
	}
	now := time.Date(2030, 1, 15, 10, 0, 0, 0, time.UTC)
	l := risk.NewLimiter(risk.NewSQLStore(db), risk.DefaultPolicy(), func() time.Time { return now })

	client := risk.ClientID(netip.MustParseAddr("203.0.113.66"))
	for i := range 8 {
		d, err := l.Check(ctx, "pk_live_shop", client)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%d %v %v %q\n", i+1, d.Allow, d.Delay, d.Reason)
		if d.Allow {
			// After the card attempt: its fingerprint, and whether it failed.
			l.Record(ctx, "pk_live_shop", client, risk.Attempt{Card: fmt.Sprint("fp_", i), Failed: true})
		}
		now = now.Add(time.Second)
	}
	// Output:
	// 1 true 0s ""
	// 2 true 0s ""
	// 3 true 0s ""
	// 4 true 0s ""
	// 5 true 250ms "client_cards"
	// 6 true 500ms "client_cards"
	// 7 true 1s "client_cards"
	// 8 false 10m0s "client_cards"
}
