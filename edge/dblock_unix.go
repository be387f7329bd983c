//go:build unix

package edge

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// lockDatabase takes the server's exclusive hold on the SQLite database at
// path: an flock(2) on path+"-lock", kept until the returned Closer is
// closed (or the process ends).
//
// SQLite's own exclusive locking mode would do this, but it allows one
// connection only, and the server checkpoints on a second one
// (checkpointer). flock locks are apart from the POSIX locks SQLite takes
// on the database file, and closing the lock file drops none of those: a
// descriptor of the database file itself could not be closed without
// dropping them.
// defaultCheckpoint is the database_checkpoint of a configuration that
// names none: "background", the lock file keeping other servers out.
const defaultCheckpoint = CheckpointBackground

func lockDatabase(path string) (io.Closer, error) {
	f, err := os.OpenFile(path+"-lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("edge: opening the database's lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errDatabaseHeld(path)
		}
		return nil, fmt.Errorf("edge: locking the database: %w", err)
	}
	return f, nil
}
