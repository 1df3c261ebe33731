package server

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"

	"tdkt/codec"
	"tdkt/domain"
)

// maxCodecBody bounds one /codec request: the UI sends one event's payloads
// at a time.
const maxCodecBody = 8 << 20

// codecRoutes serves Temporal's remote codec protocol (samples-go
// codec-server/protocol.md) at /codec/decode (never /codec/encode), so that Temporal
// UI and CLI can show administrators the payloads that TDKT_PAYLOAD_KEY
// encrypts. Only role admin may call it, since decoded payloads include how
// each council member voted; every call is logged with its caller. Without a
// key the routes answer 404.
func (s *Server) codecRoutes(r *gin.Engine) {
	var pc converter.PayloadCodec
	if len(s.cfg.PayloadKey) > 0 {
		var err error
		// config.FromEnv has checked the key, so this does not fail in
		// practice; if it did, the routes answer 500 rather than pretend
		// there is no key.
		if pc, err = codec.NewKeyring(s.cfg.CodecKeys()); err != nil {
			s.log.Error("payload codec", "error", err)
		}
	}
	available := func(c *gin.Context) {
		switch {
		case len(s.cfg.PayloadKey) == 0:
			fail(c, http.StatusNotFound, "no codec: Temporal payloads are not encrypted here (TDKT_PAYLOAD_KEY is not set)")
		case pc == nil:
			fail(c, http.StatusInternalServerError, "the payload codec could not be built; see the log")
		default:
			c.Next()
		}
	}
	// Decode only: Temporal UI needs nothing else, and an encode endpoint
	// would let anyone holding an admin token make payloads the worker
	// trusts.
	g := r.Group("/codec", s.codecCORS)
	g.OPTIONS("/decode", available, s.codecPreflight)
	g.POST("/decode", available, s.authenticate, requireAdmin, s.codecHandler(pc, "decode"))
}

// codecCORS lets the configured Temporal UI origin (TDKT_CODEC_CORS_ORIGIN)
// call the codec from the browser with the user's token.
func (s *Server) codecCORS(c *gin.Context) {
	if o := c.GetHeader("Origin"); o != "" && o == s.cfg.CodecCORSOrigin {
		h := c.Writer.Header()
		h.Set("Access-Control-Allow-Origin", o)
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Add("Vary", "Origin")
	}
	c.Next()
}

// codecPreflight answers the browser's CORS preflight; it carries no token.
func (s *Server) codecPreflight(c *gin.Context) {
	if o := c.GetHeader("Origin"); o == "" || o != s.cfg.CodecCORSOrigin {
		fail(c, http.StatusForbidden, "origin %q may not call the codec (TDKT_CODEC_CORS_ORIGIN)", o)
		return
	}
	h := c.Writer.Header()
	h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Authorization, Authorization-Extras, Content-Type, X-Namespace")
	h.Set("Access-Control-Max-Age", "600")
	c.Status(http.StatusNoContent)
}

func requireAdmin(c *gin.Context) {
	if !mustActor(c).Has(domain.RoleAdmin) {
		fail(c, http.StatusForbidden, "only an administrator may decode Temporal payloads")
		return
	}
	c.Next()
}

// codecHandler encodes or decodes a Payloads message in protobuf JSON.
func (s *Server) codecHandler(pc converter.PayloadCodec, op string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if ct := c.ContentType(); ct != "" && !strings.EqualFold(ct, "application/json") {
			fail(c, http.StatusUnsupportedMediaType, "the body must be application/json (Payloads in protobuf JSON)")
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxCodecBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				fail(c, http.StatusRequestEntityTooLarge, "the body is larger than %d bytes", maxCodecBody)
				return
			}
			fail(c, http.StatusBadRequest, "cannot read the body")
			return
		}
		var in commonpb.Payloads
		if err := protojson.Unmarshal(body, &in); err != nil {
			fail(c, http.StatusBadRequest, "the body is not a Payloads message in protobuf JSON")
			return
		}
		out, err := pc.Decode(in.Payloads)
		if err != nil {
			// Unknown key id or tampered data: the caller's payloads, not us.
			fail(c, http.StatusUnprocessableEntity, "%s: %v", op, err)
			return
		}
		s.log.Info("payload codec used", "request_id", requestID(c), "user", mustActor(c).ID, "op", op,
			"payloads", len(out), "namespace", c.GetHeader("X-Namespace"))
		b, err := protojson.Marshal(&commonpb.Payloads{Payloads: out})
		if err != nil {
			s.internal(c, "codec "+op, err)
			return
		}
		c.Data(http.StatusOK, "application/json", b)
	}
}
