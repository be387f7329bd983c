//go:build !unix

package sqlitedb

import "io"

// lockDatabase takes no lock where there is no flock(2): nothing stops a
// second server from opening the same database there. SQLite still
// serializes the two writers, and the audit log's tail rebuilds an entry
// that lost the race for its sequence number.
func lockDatabase(path string) (io.Closer, error) { return noLock{}, nil }

type noLock struct{}

func (noLock) Close() error { return nil }
