"""Settings package: `base` holds what every environment shares; `dev`, `test` and
`production` adapt it. Everything that differs between deployments comes from the
environment (see `.env.example`)."""
