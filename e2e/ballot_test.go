package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"tdkt/auth"
	"tdkt/codec"
	"tdkt/config"
	"tdkt/devenv"
	"tdkt/domain"
	"tdkt/server"
	"tdkt/worker"
)

// Names that cannot turn up in ciphertext by chance, so their absence from
// the raw history means something.
const (
	ballotNominee = "Nguyễn Thị Bí Mật"
	ballotVoterA  = "uy-vien-bi-mat-1"
	ballotVoterB  = "uy-vien-bi-mat-2"
)

// ballotStack is the engine with payload encryption on. It has its own
// Temporal server: its dossier ids restart at 1 in its own database, and
// must not meet the shared stack's workflows of the same ids.
func ballotStack(t *testing.T) (a *api, pc converter.PayloadCodec, temporalAddr, noKeyURL string) {
	ctx := context.Background()
	tmp, err := devenv.StartTemporal(ctx, devenv.TemporalOptions{Headless: true})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tmp.Stop() })
	st := devenv.TestStore(t)

	key := make([]byte, codec.KeySize)
	_, err = rand.Read(key)
	require.NoError(t, err)
	cfg := config.Defaults()
	cfg.TemporalAddress, cfg.TemporalNamespace = tmp.Address, tmp.Namespace
	cfg.TaskQueue, cfg.JWTSecret = "ballot", secret
	cfg.PayloadKey, cfg.PayloadKeyID = key, "test-1"

	// As cmd/tdkt's dialTemporal does with TDKT_PAYLOAD_KEY set.
	codecs, err := codec.New(cfg.PayloadKeyID, key)
	require.NoError(t, err)
	dc := codec.DataConverter(codecs)
	c, err := client.Dial(client.Options{HostPort: tmp.Address, Namespace: tmp.Namespace,
		DataConverter: dc, FailureConverter: codec.FailureConverter(dc)})
	require.NoError(t, err)
	t.Cleanup(c.Close)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	w, err := worker.Start(c, st, cfg, logger)
	require.NoError(t, err)
	t.Cleanup(w.Stop)
	p := domain.DefaultPolicy()
	p.PublicNoticeDays = 0
	srv, err := server.New(server.Deps{Temporal: c, Store: st, Config: cfg, Policy: p, Logger: logger})
	require.NoError(t, err)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)

	// The same API without a key, for the codec's 404.
	plainCfg := cfg
	plainCfg.PayloadKey = nil
	plain, err := server.New(server.Deps{Temporal: c, Store: st, Config: plainCfg, Policy: p, Logger: logger})
	require.NoError(t, err)
	hsPlain := httptest.NewServer(plain.Handler())
	t.Cleanup(hsPlain.Close)

	a = &api{t: t, url: hs.URL, tokens: map[string]string{}}
	mint := func(name, sub string, role domain.Role, unit string) {
		tok, err := auth.Mint([]byte(secret), sub, personName(name), []domain.Role{role}, unit, time.Hour)
		require.NoError(t, err)
		a.tokens[name] = tok
	}
	mint("unitA", "u-sgddt", domain.RoleUnit, "SGDDT")
	mint("officer", "officer-1", domain.RoleOfficer, "")
	mint("admin", "admin-1", domain.RoleAdmin, "")
	mint("c1", ballotVoterA, domain.RoleCouncil, "")
	mint("c2", ballotVoterB, domain.RoleCouncil, "")
	mint("secretary", "secretary-1", domain.RoleSecretary, "")
	return a, codecs, tmp.Address, hsPlain.URL
}

// With TDKT_PAYLOAD_KEY set, the Temporal history of a dossier after council
// votes, read by anyone with Temporal access but without the key, shows
// neither who voted nor how, nor the nominee's name; the API works as
// before, and an admin can decode through /codec.
func TestSecretBallotInTemporalHistory(t *testing.T) {
	a, pc, temporalAddr, noKeyURL := ballotStack(t)
	id := a.submit("BK_TTG", "individual", ballotNominee)["id"].(string)
	a.act(id, "accept", "officer", nil, "appraisal")
	a.act(id, "approve", "officer", nil, "council")
	a.act(id, "vote", "c1", map[string]any{"approve": true}, "council")
	r := a.act(id, "vote", "c2", map[string]any{"approve": false}, "council")

	// The API decodes what the workflow returns, refusals included.
	require.EqualValues(t, 2, r["votes"].(map[string]any)["cast"])
	require.Nil(t, r["votes"].(map[string]any)["yes"])
	require.Equal(t, ballotNominee, a.get(id, "unitA").body["nominee"].(map[string]any)["name"])
	second := a.do("POST", "/api/v1/dossiers/"+id+"/actions/vote", "c1", map[string]any{"approve": false}, nil)
	require.Equal(t, http.StatusConflict, second.status, string(second.raw))
	require.Equal(t, "council", second.body["stage"])
	bad := a.do("POST", "/api/v1/dossiers/"+id+"/actions/vote", "officer", map[string]any{"approve": true}, nil)
	require.Equal(t, http.StatusForbidden, bad.status, string(bad.raw))

	// The raw history, as Temporal UI or `temporal workflow show` without
	// the codec sees it.
	all, votes := rawHistory(t, temporalAddr, "dossier-"+id, "vote")
	require.Len(t, votes, 2, "two accepted votes in history")
	j, err := protojson.Marshal(votes[0])
	require.NoError(t, err)
	// `"approve"` is the vote's JSON field; the bare word is also the name of
	// the officer's approve update, which may show.
	for _, leak := range []string{ballotVoterA, ballotVoterB, `"approve"`, `\"approve\"`, ballotNominee, "Bí Mật"} {
		require.False(t, bytes.Contains(all, []byte(leak)), "the raw history shows %s", leak)
		require.False(t, bytes.Contains(j, []byte(leak)), "the vote event in JSON shows %s", leak)
	}

	// The control: the vote's argument is there, sealed, and the key opens it.
	args := votes[0].GetWorkflowExecutionUpdateAcceptedEventAttributes().GetAcceptedRequest().GetInput().GetArgs().GetPayloads()
	require.NotEmpty(t, args)
	require.Equal(t, codec.EncodingEncrypted, string(args[0].GetMetadata()["encoding"]))
	opened, err := pc.Decode(args)
	require.NoError(t, err)
	require.Contains(t, string(opened[0].GetData()), ballotVoterA)
	require.Contains(t, string(opened[0].GetData()), `"approve":true`)

	// The codec server: admins only, over Temporal's protocol.
	body, err := protojson.Marshal(&commonpb.Payloads{Payloads: args})
	require.NoError(t, err)
	post := func(base, path, who string, b []byte, hdr map[string]string) reply {
		h := map[string]string{"Content-Type": "application/json"}
		for k, v := range hdr {
			h[k] = v
		}
		c := *a
		c.url = base
		return c.do("POST", path, who, bytes.NewBuffer(b), h)
	}
	dec := post(a.url, "/codec/decode", "admin", body, map[string]string{"X-Namespace": "default", "Origin": "http://127.0.0.1:8233"})
	require.Equal(t, http.StatusOK, dec.status, string(dec.raw))
	require.Equal(t, "http://127.0.0.1:8233", dec.header.Get("Access-Control-Allow-Origin"))
	var decoded commonpb.Payloads
	require.NoError(t, protojson.Unmarshal(dec.raw, &decoded))
	require.Contains(t, string(decoded.Payloads[0].GetData()), `"approve":true`)
	require.Equal(t, http.StatusForbidden, post(a.url, "/codec/decode", "c1", body, nil).status)
	require.Equal(t, http.StatusUnauthorized, post(a.url, "/codec/decode", "", body, nil).status)
	require.Equal(t, http.StatusBadRequest, post(a.url, "/codec/decode", "admin", []byte("{"), nil).status)
	require.Equal(t, http.StatusNotFound, post(noKeyURL, "/codec/decode", "admin", body, nil).status)

	tampered := proto.Clone(args[0]).(*commonpb.Payload)
	tampered.Data[len(tampered.Data)-1] ^= 1
	tb, err := protojson.Marshal(&commonpb.Payloads{Payloads: []*commonpb.Payload{tampered}})
	require.NoError(t, err)
	require.Equal(t, http.StatusUnprocessableEntity, post(a.url, "/codec/decode", "admin", tb, nil).status)

	// There is no encode: nobody makes payloads through the API.
	encBody, err := protojson.Marshal(&decoded)
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, post(a.url, "/codec/encode", "admin", encBody, nil).status)

	// The browser's preflight from Temporal UI carries no token.
	pre := func(origin string) *http.Response {
		req, err := http.NewRequest("OPTIONS", a.url+"/codec/decode", nil)
		require.NoError(t, err)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization,content-type,x-namespace")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	ok := pre("http://127.0.0.1:8233")
	require.Equal(t, http.StatusNoContent, ok.StatusCode)
	require.Equal(t, "http://127.0.0.1:8233", ok.Header.Get("Access-Control-Allow-Origin"))
	require.Contains(t, ok.Header.Get("Access-Control-Allow-Headers"), "Authorization")
	evil := pre("https://evil.example")
	require.Equal(t, http.StatusForbidden, evil.StatusCode)
	require.Empty(t, evil.Header.Get("Access-Control-Allow-Origin"))
}

// A council session's ballots are as secret as single votes: with
// TDKT_PAYLOAD_KEY set, the session's raw Temporal history shows no choice,
// no voter and no nominee; the session, read through the API while it is
// open, shows who cast a ballot and no count; the key opens a ballot.
func TestSecretSessionBallotInTemporalHistory(t *testing.T) {
	a, pc, temporalAddr, _ := ballotStack(t)
	id := a.submit("BK_TTG", "individual", ballotNominee)["id"].(string)
	a.act(id, "accept", "officer", nil, "appraisal")
	a.act(id, "approve", "officer", nil, "council")
	opened := a.do("POST", "/api/v1/council-sessions", "secretary", map[string]any{"title": "Phiên họp kín", "date": "2026-12-15",
		"dossiers": []string{id}}, nil)
	require.Equal(t, http.StatusCreated, opened.status, string(opened.raw))
	sid := opened.body["id"].(string)
	for who, choice := range map[string]string{"c1": "abstain", "c2": "no"} {
		r := a.do("POST", "/api/v1/council-sessions/"+sid+"/ballots", who, map[string]any{"choices": map[string]string{id: choice}}, nil)
		require.Equal(t, http.StatusCreated, r.status, string(r.raw))
		require.Nil(t, r.body["agenda"].([]any)[0].(map[string]any)["tally"])
	}

	all, ballots := rawHistory(t, temporalAddr, "session-"+sid, "ballot")
	require.Len(t, ballots, 2, "two accepted ballots in history")
	for _, leak := range []string{ballotVoterA, ballotVoterB, `"abstain"`, `\"abstain\"`, `"choice"`, ballotNominee, "Bí Mật"} {
		require.False(t, bytes.Contains(all, []byte(leak)), "the session's raw history shows %s", leak)
	}
	args := ballots[0].GetWorkflowExecutionUpdateAcceptedEventAttributes().GetAcceptedRequest().GetInput().GetArgs().GetPayloads()
	require.Equal(t, codec.EncodingEncrypted, string(args[0].GetMetadata()["encoding"]))
	decoded, err := pc.Decode(args)
	require.NoError(t, err)
	require.Contains(t, string(decoded[0].GetData()), `"choice"`)
}

// rawHistory reads workflow id's history as Temporal UI or `temporal
// workflow show` without the codec sees it: every event's bytes, and the
// accepted updates named update.
func rawHistory(t *testing.T, temporalAddr, id, update string) (all []byte, accepted []*historypb.HistoryEvent) {
	t.Helper()
	raw, err := client.Dial(client.Options{HostPort: temporalAddr, Namespace: "default"})
	require.NoError(t, err)
	defer raw.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	it := raw.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		b, err := proto.Marshal(ev)
		require.NoError(t, err)
		all = append(all, b...)
		if u := ev.GetWorkflowExecutionUpdateAcceptedEventAttributes(); u != nil && u.GetAcceptedRequest().GetInput().GetName() == update {
			accepted = append(accepted, ev)
		}
	}
	return all, accepted
}
