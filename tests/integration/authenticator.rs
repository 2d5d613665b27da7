//! A software security key for the tests (WebAuthn Level 3, 6.1
//! "Authenticator Data", 6.5.4 "Generating an Attestation Object" with the
//! "none" format, 6.3.3 "authenticatorGetAssertion"): a P-256 key pair
//! (ES256), a signature counter, and the answers a browser would post,
//! made for any origin (to play a phishing site) and any options.

use crypto_glue::ecdsa_p256::{new_key, EcdsaP256PrivateKey, EcdsaP256SigningKey};
use crypto_glue::s256::Sha256;
use crypto_glue::traits::{Digest, Signer, ToSec1Point};
use serde_cbor_2::Value;
use serde_json::json;
use sesame::domain::base64url;
use std::collections::BTreeMap;

/// User present (WebAuthn Level 3, 6.1, flags bit 0).
const UP: u8 = 0x01;
/// User verified (bit 2).
const UV: u8 = 0x04;
/// Attested credential data included (bit 6).
const AT: u8 = 0x40;

/// A security key: its private key, credential id and counter.
pub struct SoftKey {
    private: EcdsaP256PrivateKey,
    pub credential_id: Vec<u8>,
    pub counter: u32,
    /// Whether it verifies its user (a PIN, a fingerprint).
    pub user_verification: bool,
    /// The user handle of the account it was registered to (as a
    /// discoverable credential keeps it), from the registration's options.
    pub user_handle: Option<String>,
}

impl Clone for SoftKey {
    fn clone(&self) -> Self {
        SoftKey {
            private: self.private.clone(),
            credential_id: self.credential_id.clone(),
            counter: self.counter,
            user_verification: self.user_verification,
            user_handle: self.user_handle.clone(),
        }
    }
}

fn options(json: &str) -> serde_json::Value {
    let parsed: serde_json::Value = serde_json::from_str(json).expect("options as JSON");
    parsed["publicKey"].clone()
}

impl SoftKey {
    pub fn new() -> SoftKey {
        let mut credential_id = vec![0u8; 32];
        crypto_glue::rand::fill(&mut credential_id[..]);
        SoftKey {
            private: new_key(),
            credential_id,
            counter: 0,
            user_verification: false,
            user_handle: None,
        }
    }

    /// A passkey: it verifies its user.
    pub fn passkey() -> SoftKey {
        SoftKey {
            user_verification: true,
            ..SoftKey::new()
        }
    }

    fn flags(&self) -> u8 {
        if self.user_verification {
            UP | UV
        } else {
            UP
        }
    }

    /// The COSE_Key of the public key (RFC 9052 and RFC 9053: kty EC2,
    /// alg ES256, crv P-256, x, y).
    fn cose_key(&self) -> Vec<u8> {
        let point = self.private.public_key().to_sec1_point(false);
        let mut map = BTreeMap::new();
        map.insert(Value::Integer(1), Value::Integer(2));
        map.insert(Value::Integer(3), Value::Integer(-7));
        map.insert(Value::Integer(-1), Value::Integer(1));
        map.insert(
            Value::Integer(-2),
            Value::Bytes(point.x().expect("x").to_vec()),
        );
        map.insert(
            Value::Integer(-3),
            Value::Bytes(point.y().expect("y").to_vec()),
        );
        serde_cbor_2::to_vec(&Value::Map(map)).expect("CBOR")
    }

    fn client_data(kind: &str, challenge: &str, origin: &str) -> Vec<u8> {
        json!({ "type": kind, "challenge": challenge, "origin": origin, "crossOrigin": false })
            .to_string()
            .into_bytes()
    }

    /// The answer to `navigator.credentials.create` for `options_json` (a
    /// `CreationChallengeResponse`) as a page at `origin` would post it.
    pub fn register(&mut self, options_json: &str, origin: &str) -> String {
        let options = options(options_json);
        let rp_id = options["rp"]["id"].as_str().expect("rp.id");
        let challenge = options["challenge"].as_str().expect("challenge");
        self.user_handle = options["user"]["id"].as_str().map(str::to_owned);
        let client_data = Self::client_data("webauthn.create", challenge, origin);
        let mut auth_data = Sha256::digest(rp_id.as_bytes()).to_vec();
        auth_data.push(self.flags() | AT);
        auth_data.extend_from_slice(&self.counter.to_be_bytes());
        auth_data.extend_from_slice(&[0u8; 16]);
        auth_data.extend_from_slice(&(self.credential_id.len() as u16).to_be_bytes());
        auth_data.extend_from_slice(&self.credential_id);
        auth_data.extend_from_slice(&self.cose_key());
        let mut attestation = BTreeMap::new();
        attestation.insert(Value::Text("fmt".into()), Value::Text("none".into()));
        attestation.insert(Value::Text("attStmt".into()), Value::Map(BTreeMap::new()));
        attestation.insert(Value::Text("authData".into()), Value::Bytes(auth_data));
        let attestation = serde_cbor_2::to_vec(&Value::Map(attestation)).expect("CBOR");
        let id = base64url::encode(&self.credential_id);
        json!({
            "id": id,
            "rawId": id,
            "type": "public-key",
            "response": {
                "attestationObject": base64url::encode(&attestation),
                "clientDataJSON": base64url::encode(&client_data),
                "transports": ["usb"],
            },
        })
        .to_string()
    }

    /// The answer to `navigator.credentials.get` for `options_json` (a
    /// `RequestChallengeResponse`) at `origin`: the counter goes up by one.
    pub fn assert(&mut self, options_json: &str, origin: &str) -> String {
        self.answer(options_json, origin, None)
    }

    /// The same as a discoverable credential answers a login box's
    /// ceremony: with the user handle it keeps.
    pub fn assert_passkey(&mut self, options_json: &str, origin: &str) -> String {
        let handle = self.user_handle.clone();
        self.answer(options_json, origin, handle)
    }

    fn answer(&mut self, options_json: &str, origin: &str, user_handle: Option<String>) -> String {
        let options = options(options_json);
        let rp_id = options["rpId"].as_str().expect("rpId");
        let challenge = options["challenge"].as_str().expect("challenge");
        self.counter += 1;
        let client_data = Self::client_data("webauthn.get", challenge, origin);
        let mut auth_data = Sha256::digest(rp_id.as_bytes()).to_vec();
        auth_data.push(self.flags());
        auth_data.extend_from_slice(&self.counter.to_be_bytes());
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&Sha256::digest(&client_data));
        let signing = EcdsaP256SigningKey::from(&self.private);
        let signature: crypto_glue::ecdsa_p256::EcdsaP256Signature = signing.sign(&signed);
        let id = base64url::encode(&self.credential_id);
        json!({
            "id": id,
            "rawId": id,
            "type": "public-key",
            "response": {
                "authenticatorData": base64url::encode(&auth_data),
                "clientDataJSON": base64url::encode(&client_data),
                "signature": base64url::encode(&signature.to_der().to_bytes()),
                "userHandle": user_handle,
            },
        })
        .to_string()
    }
}
