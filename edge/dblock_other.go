//go:build !unix && !js

package edge

import "io"

// lockDatabase takes no lock where there is no flock(2): nothing stops a
// second server from opening the same database there.
func lockDatabase(path string) (io.Closer, error) { return noLock{}, nil }

// defaultCheckpoint is the database_checkpoint of a configuration that
// names none: "commit", whose exclusive locking mode is what keeps a second
// server out where there is no lock file.
const defaultCheckpoint = CheckpointCommit

type noLock struct{}

func (noLock) Close() error { return nil }
