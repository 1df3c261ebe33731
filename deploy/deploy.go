// Package deploy holds what deployments share: the Temporal server's
// configuration (a template over the environment, rendered by the server
// itself) and its dynamic configuration. docker-compose.yml mounts these
// files; `tdkt dev --cluster` writes the embedded copies out and runs them.
package deploy

import "embed"

// Temporal is the folder temporal/: tdkt.yaml (the server's configuration,
// environment "tdkt") and dynamicconfig.yaml.
//
//go:embed temporal/tdkt.yaml temporal/dynamicconfig.yaml
var Temporal embed.FS
