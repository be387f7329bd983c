//go:build unix

package sqlitedb

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// lockDatabase takes the server's exclusive hold on the SQLite database at
// path: an flock(2) on path+"-lock", kept until the returned Closer is
// closed (or the process ends). It keeps a second server, a second demo
// and sealpay audit off a database a server uses.
//
// SQLite's own exclusive locking mode would do this, but it allows one
// connection only, and the reads run on connections of their own. flock
// locks are apart from the POSIX locks SQLite takes on the database file.
//
// It also creates the database file, empty and with mode 0600, if it does
// not exist yet: SQLite would create it 0644 (less the umask), and it
// gives the -wal and -shm files it makes later the database file's mode.
// The vault's rows are sealed, but a copy of them is still no one else's.
func lockDatabase(path string) (io.Closer, error) {
	if db, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		db.Close()
	} else if !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("sqlitedb: creating the database: %w", err)
	}
	f, err := os.OpenFile(path+"-lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlitedb: opening the database's lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errHeld(path)
		}
		return nil, fmt.Errorf("sqlitedb: locking the database: %w", err)
	}
	return f, nil
}
