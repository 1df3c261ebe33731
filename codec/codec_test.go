package codec

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/proto"

	"tdkt/domain"
)

func key(t *testing.T) []byte {
	t.Helper()
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

func mustNew(t *testing.T, id string, k []byte) converter.PayloadCodec {
	t.Helper()
	c, err := New(id, k)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const nominee = "Nguyễn Thị Bí Mật"

// vote is what a council vote's update carries.
func vote() domain.Command {
	yes := true
	return domain.Command{Action: domain.ActVote, Approve: &yes,
		Actor: domain.Actor{ID: "member-4711", Name: "Trần Văn Ủy Viên", Roles: []domain.Role{domain.RoleCouncil}}}
}

func TestRoundTripHidesThePlaintext(t *testing.T) {
	dc := DataConverter(mustNew(t, "k1", key(t)))
	sub := domain.Submission{AwardCode: "CSTD_TINH", Nominee: domain.Nominee{Type: domain.Individual, Name: nominee}}
	plainVote, err := converter.GetDefaultDataConverter().ToPayload(vote())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(plainVote.Data, []byte(`"approve":true`)) {
		t.Fatalf("the control is broken: the unencrypted payload is %s", plainVote.Data)
	}
	for _, v := range []any{vote(), sub} {
		p, err := dc.ToPayload(v)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(p.Metadata[MetadataEncoding]); got != EncodingEncrypted {
			t.Fatalf("encoding %q", got)
		}
		if got := string(p.Metadata[MetadataKeyID]); got != "k1" {
			t.Fatalf("key id %q", got)
		}
		wire, err := proto.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{nominee, `"approve":true`, "approve", "member-4711", "json/plain"} {
			if bytes.Contains(wire, []byte(secret)) {
				t.Errorf("the encrypted payload contains %q", secret)
			}
		}
		again, _ := dc.ToPayload(v)
		if bytes.Equal(again.Data, p.Data) {
			t.Error("two encryptions of one value are equal: the nonce is not random")
		}
		switch want := v.(type) {
		case domain.Command:
			var got domain.Command
			if err := dc.FromPayload(p, &got); err != nil {
				t.Fatal(err)
			}
			if got.Actor.ID != want.Actor.ID || got.Approve == nil || !*got.Approve {
				t.Fatalf("round trip: %+v", got)
			}
		case domain.Submission:
			var got domain.Submission
			if err := dc.FromPayload(p, &got); err != nil {
				t.Fatal(err)
			}
			if got.Nominee.Name != nominee {
				t.Fatalf("round trip: %+v", got)
			}
		}
	}
}

func TestTamperedCiphertextFails(t *testing.T) {
	c := mustNew(t, "k1", key(t))
	p, err := DataConverter(c).ToPayload(vote())
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 12, len(p.Data) - 1} { // nonce, ciphertext, tag
		bad := proto.Clone(p).(*commonpb.Payload)
		bad.Data[i] ^= 1
		if _, err := c.Decode([]*commonpb.Payload{bad}); err == nil || !strings.Contains(err.Error(), "tampered") {
			t.Errorf("byte %d flipped: %v", i, err)
		}
	}
	short := proto.Clone(p).(*commonpb.Payload)
	short.Data = short.Data[:10]
	if _, err := c.Decode([]*commonpb.Payload{short}); err == nil {
		t.Error("a truncated payload decoded")
	}
}

func TestUnencryptedPayloadPassesThrough(t *testing.T) {
	c := mustNew(t, "k1", key(t))
	plain, err := converter.GetDefaultDataConverter().ToPayloads(vote(), "x", nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Decode(plain.Payloads)
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if !proto.Equal(got[i], plain.Payloads[i]) {
			t.Fatalf("payload %d changed: %v", i, got[i])
		}
	}
	// And the data converter reads an old, unencrypted history's values.
	var cmd domain.Command
	if err := DataConverter(c).FromPayload(plain.Payloads[0], &cmd); err != nil || cmd.Actor.ID != "member-4711" {
		t.Fatalf("%+v %v", cmd, err)
	}
}

func TestWrongKeyFails(t *testing.T) {
	k := key(t)
	p, err := DataConverter(mustNew(t, "k1", k)).ToPayload(vote())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mustNew(t, "k1", key(t)).Decode([]*commonpb.Payload{p}); err == nil {
		t.Error("another key under the same id decrypted the payload")
	}
	_, err = mustNew(t, "k2", k).Decode([]*commonpb.Payload{p})
	if !errors.Is(err, ErrUnknownKey) || !strings.Contains(err.Error(), `"k1"`) {
		t.Errorf("a payload of key k1 read by a codec holding k2: %v", err)
	}
}

func TestNewRefusesBadKeys(t *testing.T) {
	if _, err := New("k1", make([]byte, 16)); err == nil {
		t.Error("a 16-byte key was accepted for AES-256")
	}
	if _, err := New("", make([]byte, KeySize)); err == nil {
		t.Error("an empty key id was accepted")
	}
}

func TestFailureMessagesAreEncrypted(t *testing.T) {
	dc := DataConverter(mustNew(t, "k1", key(t)))
	fc := FailureConverter(dc)
	f := fc.ErrorToFailure(temporal.NewApplicationError("duplicate nominee "+nominee, "conflict"))
	wire, err := proto.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(wire, []byte(nominee)) {
		t.Fatal("the failure carries the message in plain text")
	}
	var app *temporal.ApplicationError
	if err := fc.FailureToError(f); !errors.As(err, &app) || app.Message() != "duplicate nominee "+nominee || app.Type() != "conflict" {
		t.Fatalf("round trip: %v", err)
	}
}

// A key can be rotated: a codec holding the new key first and the old one
// after seals with the new one and opens what the old one sealed; a codec
// without the old key refuses its payloads.
func TestKeyRotation(t *testing.T) {
	k1, k2 := make([]byte, KeySize), make([]byte, KeySize)
	k1[0], k2[0] = 1, 2
	old, err := New("k1", k1)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := old.Encode([]*commonpb.Payload{{Data: []byte(`{"approve":true}`)}})
	if err != nil {
		t.Fatal(err)
	}
	ring, err := NewKeyring([]Key{{ID: "k2", Secret: k2}, {ID: "k1", Secret: k1}})
	if err != nil {
		t.Fatal(err)
	}
	opened, err := ring.Decode(sealed)
	if err != nil || string(opened[0].GetData()) != `{"approve":true}` {
		t.Fatalf("the ring does not open the old key's payload: %v", err)
	}
	fresh, err := ring.Encode([]*commonpb.Payload{{Data: []byte("x")}})
	if err != nil || string(fresh[0].GetMetadata()[MetadataKeyID]) != "k2" {
		t.Fatalf("the ring seals with %q, want the newest k2 (%v)", fresh[0].GetMetadata()[MetadataKeyID], err)
	}
	if _, err := old.Decode(fresh); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("the old codec opened a k2 payload: %v", err)
	}
	onlyNew, _ := New("k2", k2)
	if _, err := onlyNew.Decode(sealed); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("a codec without k1 opened a k1 payload: %v", err)
	}
	if _, err := NewKeyring([]Key{{ID: "k1", Secret: k1}, {ID: "k1", Secret: k2}}); err == nil {
		t.Error("the same id twice was accepted")
	}
}

// A seal verifies only for the message it sealed, with a key the sealer
// holds; a rotated sealer still verifies the old key's seals.
func TestSealer(t *testing.T) {
	k1, k2 := make([]byte, KeySize), make([]byte, KeySize)
	k1[0], k2[0] = 1, 2
	s1, err := NewSealer([]Key{{ID: "k1", Secret: k1}})
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte(`{"dossier":"HS-2026-000001","command":{"action":"vote"}}`)
	seal := s1.Seal(msg)
	if !s1.Verify(msg, seal) {
		t.Fatal("a seal does not verify")
	}
	for name, bad := range map[string]string{"empty": "", "no id": "abc", "unknown id": "k9." + seal[3:], "another sum": seal[:len(seal)-2] + "AA"} {
		if s1.Verify(msg, bad) {
			t.Errorf("%s seal verified", name)
		}
	}
	if s1.Verify([]byte(`{"dossier":"HS-2026-000002","command":{"action":"vote"}}`), seal) {
		t.Error("a seal verified another message")
	}
	other, _ := NewSealer([]Key{{ID: "k1", Secret: k2}})
	if other.Verify(msg, seal) {
		t.Error("another key verified the seal")
	}
	rotated, _ := NewSealer([]Key{{ID: "k2", Secret: k2}, {ID: "k1", Secret: k1}})
	if !rotated.Verify(msg, seal) || !strings.HasPrefix(rotated.Seal(msg), "k2.") {
		t.Error("rotation: old seals must verify and the new key must seal")
	}
	// The seal key is not the payload key: a seal made with the raw payload
	// key (as anyone holding only the codec could try) does not verify.
	raw := "k1." + base64.RawURLEncoding.EncodeToString(mac(k1, msg))
	if s1.Verify(msg, raw) {
		t.Error("a seal made with the payload key itself verified")
	}
}
