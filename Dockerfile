# syntax=docker/dockerfile:1
# The tdkt binary (api, worker, migrate, token) as a static executable on a
# small base, run as a non-root user.

FROM golang:1.26.8-bookworm AS build
WORKDIR /src
# Dependencies first: this layer stays cached while only our code changes.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/tdkt ./cmd/tdkt

# Alpine rather than distroless: its wget serves the compose healthcheck.
FROM alpine:3.22.1
RUN apk add --no-cache ca-certificates tzdata \
 && adduser -D -H -u 10001 tdkt
COPY --from=build /out/tdkt /usr/local/bin/tdkt
USER 10001:10001
ENV TDKT_HTTP_ADDR=:8080
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/tdkt"]
CMD ["api"]
