"""Describe partners' machine clients in the OpenAPI schema: OAuth2 client credentials, so that
generated clients know where to obtain a token and which scopes there are."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class MachineClientScheme(OpenApiAuthenticationExtension):
    target_class = "apps.exchange.authentication.MachineClientAuthentication"
    name = "oauth2"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "oauth2",
            "description": (
                "A partner's machine client: trade its client id and secret (HTTP Basic) for an access "
                "token at /oauth/token/ with grant_type=client_credentials, then send "
                "`Authorization: Bearer <access token>`. The scopes a client obtains are those its "
                "organization's agreements in force allow; the agreements decide every request."
            ),
            "flows": {
                "clientCredentials": {
                    "tokenUrl": "/oauth/token/",
                    "scopes": {
                        "read": "Read the published figures the agreements grant",
                        "push": "Send data of the partner standards the agreements name",
                    },
                }
            },
        }

    def get_security_requirement(self, auto_schema: Any) -> dict[str, list[str]]:
        """The scope an operation needs: `read` for the benchmark figures and cohorts, `push` for
        sending a submission, none for the rest (the caller's own objects, the standards)."""
        path, method = auto_schema.path, auto_schema.method.upper()
        if method == "GET" and path.startswith(("/api/v1/benchmarks/", "/api/v1/cohorts/")):
            return {self.name: ["read"]}
        if method == "POST" and path == "/api/v1/submissions/":
            return {self.name: ["push"]}
        return {self.name: []}
