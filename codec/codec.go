// Package codec encrypts Temporal payloads (AES-256-GCM), so that Temporal's
// history and its UI hold no readable council vote and no nominee's personal
// data. It follows Temporal's samples-go/encryption: each payload's whole
// protobuf (metadata and data) is sealed into a new payload marked
// `binary/encrypted` with the id of the key that sealed it.
//
// Decode passes payloads that are not encrypted through unchanged, so
// histories written before encryption was switched on still replay and show.
package codec

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"
)

const (
	// MetadataEncoding is the metadata key Temporal reads a payload's encoding from.
	MetadataEncoding = converter.MetadataEncoding
	// EncodingEncrypted marks a payload this codec sealed.
	EncodingEncrypted = "binary/encrypted"
	// MetadataKeyID names the key that sealed a payload.
	MetadataKeyID = "encryption-key-id"
	// KeySize is the key length: AES-256.
	KeySize = 32
)

// ErrUnknownKey is returned when a payload was sealed with a key this codec
// does not hold.
var ErrUnknownKey = errors.New("payload encrypted with an unknown key id")

type aesCodec struct {
	// keyID names the key that seals; aeads holds every key that opens.
	keyID string
	aead  cipher.AEAD
	aeads map[string]cipher.AEAD
}

// Key is one payload key and its label.
type Key struct {
	ID     string
	Secret []byte
}

// New returns a codec that seals payloads with key (32 bytes), labelled
// keyID, and opens payloads labelled keyID.
func New(keyID string, key []byte) (converter.PayloadCodec, error) {
	return NewKeyring([]Key{{ID: keyID, Secret: key}})
}

// NewKeyring returns a codec that seals with the first key and opens
// payloads sealed with any of them, so that a key can be rotated: put the
// new key first, keep the old ones for the histories they sealed.
func NewKeyring(keys []Key) (converter.PayloadCodec, error) {
	if len(keys) == 0 {
		return nil, errors.New("codec: no key")
	}
	c := &aesCodec{keyID: keys[0].ID, aeads: map[string]cipher.AEAD{}}
	for _, k := range keys {
		if k.ID == "" {
			return nil, errors.New("codec: empty key id")
		}
		if _, dup := c.aeads[k.ID]; dup {
			return nil, fmt.Errorf("codec: key id %q given twice", k.ID)
		}
		if len(k.Secret) != KeySize {
			return nil, fmt.Errorf("codec: key %q is %d bytes, want %d (AES-256)", k.ID, len(k.Secret), KeySize)
		}
		block, err := aes.NewCipher(k.Secret)
		if err != nil {
			return nil, fmt.Errorf("codec: %w", err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("codec: %w", err)
		}
		c.aeads[k.ID] = aead
	}
	c.aead = c.aeads[c.keyID]
	return c, nil
}

// DataConverter is Temporal's default JSON/proto converter with c applied
// to every payload it writes and reads.
func DataConverter(c converter.PayloadCodec) converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c)
}

// FailureConverter moves each failure's message and stack trace into an
// attributes payload that dc (a DataConverter above) encrypts, so an error
// that quotes data does not leak it into history either.
func FailureConverter(dc converter.DataConverter) converter.FailureConverter {
	return temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
		DataConverter: dc, EncodeCommonAttributes: true})
}

// Encode seals each payload: data = nonce (12 random bytes) || ciphertext.
func (c *aesCodec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("codec: marshal payload: %w", err)
		}
		nonce := make([]byte, c.aead.NonceSize(), c.aead.NonceSize()+len(plain)+c.aead.Overhead())
		if _, err := rand.Read(nonce); err != nil {
			return nil, fmt.Errorf("codec: nonce: %w", err)
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				MetadataEncoding: []byte(EncodingEncrypted),
				MetadataKeyID:    []byte(c.keyID),
			},
			Data: c.aead.Seal(nonce, nonce, plain, nil),
		}
	}
	return out, nil
}

// Decode opens each sealed payload and passes any other through.
func (c *aesCodec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[MetadataEncoding]) != EncodingEncrypted {
			out[i] = p
			continue
		}
		id := string(p.GetMetadata()[MetadataKeyID])
		aead, ok := c.aeads[id]
		if !ok {
			return nil, fmt.Errorf("codec: %w: %q (this process holds %s)", ErrUnknownKey, id, c.ids())
		}
		data := p.GetData()
		if len(data) < aead.NonceSize()+aead.Overhead() {
			return nil, errors.New("codec: encrypted payload too short")
		}
		ns := aead.NonceSize()
		plain, err := aead.Open(nil, data[:ns], data[ns:], nil)
		if err != nil {
			return nil, fmt.Errorf("codec: decrypt payload with key %q: wrong key or tampered data: %w", id, err)
		}
		var dec commonpb.Payload
		if err := proto.Unmarshal(plain, &dec); err != nil {
			return nil, fmt.Errorf("codec: unmarshal decrypted payload: %w", err)
		}
		out[i] = &dec
	}
	return out, nil
}

func (c *aesCodec) ids() string {
	ids := make([]string, 0, len(c.aeads))
	for id := range c.aeads {
		ids = append(ids, strconv.Quote(id))
	}
	sort.Strings(ids)
	return strings.Join(ids, ", ")
}
