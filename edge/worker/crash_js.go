//go:build js && wasm && sealpay_crashtest

package main

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"

	"github.com/sealpay/sealpay/sdk/sqlunit"
)

// With the sealpay_crashtest build tag, for edge/worker_test.go only, the
// Worker ends its Go program on request, the two ways a bug can:
//
//	POST /__crash/panic  a goroutine panics outside the handler's recovery
//	POST /__crash/exit   os.Exit(3)
//
// The entry must answer that request with a 500 and serve the next one
// from a new instance. And a unit fails on D1 with a real SQLite error:
//
//	POST /__fault/unit   one unit: a risk counter row "fault-test", then a
//	                     read of a table that does not exist; answers
//	                     {"failed": …, "sqlite_error": …}
//	GET  /__fault/count  {"rows": the number of "fault-test" rows}
func init() {
	wrapForTest = func(next http.Handler) http.Handler {
		mux := http.NewServeMux()
		mux.Handle("/", next)
		mux.HandleFunc("POST /__crash/panic", func(w http.ResponseWriter, r *http.Request) {
			go panic("edge/worker: crash test")
			select {} // the panic ends the program first
		})
		mux.HandleFunc("POST /__crash/exit", func(w http.ResponseWriter, r *http.Request) {
			os.Exit(3)
		})
		store := &d1{name: "DB"}
		mux.HandleFunc("POST /__fault/unit", func(w http.ResponseWriter, r *http.Request) {
			_, err := store.Exec(r.Context(), sqlunit.Unit{Stmts: []sqlunit.Stmt{
				sqlunit.S(`INSERT INTO risk_counters (name, win, n, expires_at) VALUES ('fault-test', 1, 1, 9999999999)`),
				sqlunit.S(`SELECT x FROM no_such_table`),
			}})
			json.NewEncoder(w).Encode(map[string]bool{"failed": err != nil, "sqlite_error": err != nil && strings.Contains(err.Error(), "SQLITE_ERROR")})
		})
		mux.HandleFunc("GET /__fault/count", func(w http.ResponseWriter, r *http.Request) {
			rows, err := store.Query(r.Context(), `SELECT count(*) FROM risk_counters WHERE name = 'fault-test'`)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			json.NewEncoder(w).Encode(map[string]int64{"rows": rows[0].Int(0)})
		})
		return mux
	}
}
