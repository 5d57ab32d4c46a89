package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/argon2"

	"github.com/weirhq/weir"
)

// Argon2id parameters of new secret hashes: OWASP's minimum for argon2id
// (19 MiB, 2 passes, 1 lane). Stored hashes carry their own parameters.
const (
	secretMemoryKiB = 19 * 1024
	secretTime      = 2
	secretThreads   = 1
	secretKeyLen    = 32
	secretSaltLen   = 16
)

// HashSecret returns the argon2id hash of secret in PHC string form
// ($argon2id$v=19$m=…,t=…,p=…$salt$hash), to store in place of the secret.
func HashSecret(secret string) (string, error) {
	salt := make([]byte, secretSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: hash secret: %w", err)
	}
	sum := argon2.IDKey([]byte(secret), salt, secretTime, secretMemoryKiB, secretThreads, secretKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, secretMemoryKiB, secretTime,
		secretThreads, enc.EncodeToString(salt), enc.EncodeToString(sum)), nil
}

// CheckSecret reports whether secret matches hash, a HashSecret result,
// comparing in constant time. A pair that matched once is remembered (as a
// SHA-256 digest, never the secret), so that a device reconnecting does not
// pay for argon2id again; failures are never remembered. At most
// argonSlots argon2id computations run at once (each holds its memory,
// 19 MiB for weir's hashes): a fleet of devices reconnecting together waits
// its turn, and those after the first of a key find its pair remembered.
func CheckSecret(hash, secret string) bool {
	digest := sha256.Sum256([]byte(hash + "\x00" + secret))
	if checked.has(digest) {
		return true
	}
	argonSlots <- struct{}{}
	defer func() { <-argonSlots }()
	if checked.has(digest) { // matched while this check waited
		return true
	}
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false
	}
	var (
		m, t uint32
		p    uint8
	)
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<20 || t > 16 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	argonRuns.Add(1)
	got := argon2.IDKey([]byte(secret), salt, t, m, p, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false
	}
	checked.put(digest)
	return true
}

// argonSlots bounds the argon2id computations running at once: one per CPU,
// at most 4.
var argonSlots = make(chan struct{}, min(4, max(1, runtime.GOMAXPROCS(0))))

// argonRuns counts the argon2id computations of CheckSecret.
var argonRuns atomic.Int64

// maxChecked bounds the matched pairs remembered; when full, they are all
// forgotten.
const maxChecked = 4096

// checked is the set of digests of hash/secret pairs that matched.
var checked digestSet

type digestSet struct {
	mu sync.RWMutex
	m  map[[32]byte]struct{}
}

func (s *digestSet) has(d [32]byte) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, ok := s.m[d]
	return ok
}

func (s *digestSet) put(d [32]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil || len(s.m) >= maxChecked {
		s.m = make(map[[32]byte]struct{})
	}
	s.m[d] = struct{}{}
}

// msgBadCredentials is the message of every failed device authentication:
// it does not tell which part was wrong.
const msgBadCredentials = "Invalid device credentials"

// AuthenticateDevice checks a device's credentials as Losant does, for
// POST /auth/device and MQTT CONNECT: the access key exists and is active,
// secret matches it, the device exists in the key's application and the
// key may reach it. Any failure is Unauthorized with one message; other
// errors are internal.
func AuthenticateDevice(ctx context.Context, keys weir.ApplicationKeyService, devices weir.DeviceService,
	deviceID, key, secret string) (*weir.Device, *weir.ApplicationKey, error) {
	fail := weir.Errorf(weir.Unauthorized, msgBadCredentials)
	if key == "" || secret == "" || !weir.ValidID(deviceID) {
		return nil, nil, fail
	}
	k, err := keys.FindApplicationKeyByKey(ctx, key)
	if weir.ErrorTypeOf(err) == weir.NotFound {
		return nil, nil, fail
	} else if err != nil {
		return nil, nil, err
	}
	if !CheckSecret(k.SecretHash, secret) {
		return nil, nil, fail
	}
	d, err := devices.FindDeviceByID(ctx, k.ApplicationID, strings.ToLower(deviceID))
	if weir.ErrorTypeOf(err) == weir.NotFound {
		return nil, nil, fail
	} else if err != nil {
		return nil, nil, err
	}
	if !k.Allows(d) {
		return nil, nil, fail
	}
	return d, k, nil
}
