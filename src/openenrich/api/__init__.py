"""HTTP plumbing shared by every endpoint: errors, body limits, authentication, OpenAPI."""
