//! The control API's gate (認証): [`ApiAuth`] as an axum extractor on the [`ClinicHost`] state —
//! a request without `Authorization: Bearer <token>` matching the host's token gets 401 before
//! anything else happens.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::error::ClinicError;
use super::host::ClinicHost;
use super::token::ApiAuth;

impl FromRequestParts<ClinicHost> for ApiAuth {
    type Rejection = ClinicError;

    async fn from_request_parts(
        parts: &mut Parts,
        host: &ClinicHost,
    ) -> Result<Self, Self::Rejection> {
        let presented = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        match presented {
            Some(token) if host.api_token().matches(token) => Ok(Self),
            _ => Err(ClinicError::Unauthorized),
        }
    }
}
