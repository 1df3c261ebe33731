package codec

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
)

// Sealer signs the commands the API sends to dossier workflows, so that the
// workflow accepts only what the API issued: an update sent straight to
// Temporal (its UI, its CLI) carries no valid seal and is refused. The
// signing keys are derived from the payload keys (HKDF, a label of their
// own): the worker and the API hold them, Temporal UI and the codec server
// never see them.
type Sealer struct {
	sealID string
	keys   map[string][]byte
}

const sealLabel = "tdkt command seal v1"

// NewSealer derives a signing key from each payload key; the first signs,
// all verify (a key is rotated as the payload keys are).
func NewSealer(keys []Key) (*Sealer, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("codec: sealer: no key")
	}
	s := &Sealer{sealID: keys[0].ID, keys: map[string][]byte{}}
	for _, k := range keys {
		if len(k.Secret) != KeySize || k.ID == "" || strings.Contains(k.ID, ".") {
			return nil, fmt.Errorf("codec: sealer: key %q must be %d bytes and its id without '.'", k.ID, KeySize)
		}
		d, err := hkdf.Key(sha256.New, k.Secret, nil, sealLabel, 32)
		if err != nil {
			return nil, fmt.Errorf("codec: sealer: %w", err)
		}
		s.keys[k.ID] = d
	}
	return s, nil
}

// Seal signs msg: "<key id>.<base64url HMAC-SHA256>".
func (s *Sealer) Seal(msg []byte) string {
	return s.sealID + "." + base64.RawURLEncoding.EncodeToString(mac(s.keys[s.sealID], msg))
}

// Verify reports whether seal is a valid seal of msg by one of the keys.
func (s *Sealer) Verify(msg []byte, seal string) bool {
	id, sum, ok := strings.Cut(seal, ".")
	if !ok {
		return false
	}
	key, ok := s.keys[id]
	if !ok {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(sum)
	return err == nil && hmac.Equal(got, mac(key, msg))
}

func mac(key, msg []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(msg)
	return h.Sum(nil)
}
