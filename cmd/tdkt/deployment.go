package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"tdkt/metrics"
)

// deploymentCmd steers a rolling deploy of versioned workers
// (TDKT_DEPLOYMENT_NAME, TDKT_BUILD_ID): which build Temporal sends new work
// to, and whether an old build may be stopped.
func deploymentCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "deployment",
		Short: "Worker Versioning: show the deployment's builds, make one current",
	}
	show := &cobra.Command{
		Use:   "show",
		Short: "List the builds of TDKT_DEPLOYMENT_NAME, the current one, and which are drained",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			h, closeClient, err := deploymentHandle(cmd)
			if err != nil {
				return err
			}
			defer closeClient()
			d, err := h.Describe(cmd.Context(), client.WorkerDeploymentDescribeOptions{})
			if err != nil {
				return fmt.Errorf("describe the deployment: %w", err)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "deployment %s, current build %q\n", d.Info.Name, buildOf(d.Info.RoutingConfig.CurrentVersion))
			for _, v := range d.Info.VersionSummaries {
				fmt.Fprintf(out, "  build %-20s since %s  %s\n", v.Version.BuildID, v.CreateTime.Format(time.RFC3339), drainage(v.DrainageStatus))
			}
			return nil
		},
	}
	current := &cobra.Command{
		Use:   "current BUILD_ID",
		Short: "Make BUILD_ID the current build: new dossiers, batches and sessions, and running dossiers at their next step, go to its workers",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, closeClient, err := deploymentHandle(cmd)
			if err != nil {
				return err
			}
			defer closeClient()
			// Temporal knows a build once its workers poll: wait a little for them.
			deadline := time.Now().Add(time.Minute)
			for {
				_, err := h.SetCurrentVersion(cmd.Context(), client.WorkerDeploymentSetCurrentVersionOptions{BuildID: args[0]})
				if err == nil {
					fmt.Fprintf(cmd.OutOrStdout(), "build %s is current; stop the old build's workers once `tdkt deployment show` says it is drained\n", args[0])
					return nil
				}
				if time.Now().After(deadline) {
					return fmt.Errorf("make build %s current (are its workers running with TDKT_BUILD_ID=%s?): %w", args[0], args[0], err)
				}
				time.Sleep(time.Second)
			}
		},
	}
	cmd.AddCommand(show, current)
	return cmd
}

// deploymentHandle is the configured deployment, through a client of the
// configured Temporal.
func deploymentHandle(cmd *cobra.Command) (client.WorkerDeploymentHandle, func(), error) {
	cfg, err := loadConfig()
	if err != nil {
		return nil, nil, err
	}
	if cfg.DeploymentName == "" {
		return nil, nil, errors.New("set TDKT_DEPLOYMENT_NAME (and TDKT_BUILD_ID): the workers' deployment")
	}
	c, err := dialTemporal(cmd.Context(), cfg, newLogger(true), metrics.NewRegistry(), 10*time.Second)
	if err != nil {
		return nil, nil, err
	}
	return c.WorkerDeploymentClient().GetHandle(cfg.DeploymentName), c.Close, nil
}

func buildOf(v *sdkworker.WorkerDeploymentVersion) string {
	if v == nil {
		return ""
	}
	return v.BuildID
}

func drainage(s client.WorkerDeploymentVersionDrainageStatus) string {
	switch s {
	case client.WorkerDeploymentVersionDrainageStatusDraining:
		return "draining: pinned batches or sessions still run on it"
	case client.WorkerDeploymentVersionDrainageStatusDrained:
		return "drained: its workers may be stopped"
	}
	return ""
}
