// net/tls.hpp — TLS client setup for upstream connections (OpenSSL through Asio).
//
// Owns: building a client ssl::context (TLS 1.2 minimum, peer verification against the system
// default trust store or a configured CA bundle, or no verification when a provider disables it),
// preparing one stream before its handshake (SNI for host names, host-name verification through
// ssl::host_name_verification), and describing a failed handshake in words that never contain
// secrets. Thread-safety: a context is immutable once built and may be shared by any number of
// streams on any threads; prepare/describe touch only the stream they are given.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <string>

#include "openrain/status.hpp"

namespace openrain::net {

using TlsStream = boost::beast::ssl_stream<boost::asio::ip::tcp::socket>;

/// Build a client context. verify_peer=false disables certificate checks entirely (the
/// provider's verify_tls: false); otherwise `ca_file` (when non-empty) or the system default
/// paths are the trust store. Errors name the CA file problem.
Result<std::shared_ptr<boost::asio::ssl::context>> make_client_tls_context(
    bool verify_peer, const std::string& ca_file);

/// What the verify callback learnt during one handshake (read after a failure).
struct TlsVerifyState {
  bool host_mismatch = false;
};

/// Configure `stream` for a handshake with `host`: SNI (skipped for IP literals, as RFC 6066
/// requires) and, when `verify_peer`, peer verification plus host-name verification whose
/// outcome lands in `state`. Must be called before the handshake.
Status prepare_client_tls(TlsStream& stream, const std::string& host, bool verify_peer,
                          const std::shared_ptr<TlsVerifyState>& state);

/// One-line reason for a failed handshake, e.g. "certificate verify failed: self-signed
/// certificate" or "certificate does not match host name 'example.com'". Secret-free.
std::string describe_tls_failure(TlsStream& stream, const boost::system::error_code& ec,
                                 const TlsVerifyState& state, const std::string& host);

}  // namespace openrain::net
