#include "net/tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/verify_context.hpp>

namespace openrain::net {

namespace ssl = boost::asio::ssl;

Result<std::shared_ptr<ssl::context>> make_client_tls_context(bool verify_peer,
                                                              const std::string& ca_file) {
  std::shared_ptr<ssl::context> ctx;
  try {  // the constructor reports OpenSSL allocation failures by throwing
    ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  } catch (const std::exception& e) {
    return Error::make(ErrorKind::Internal,
                       std::string("cannot create a TLS context: ") + e.what());
  }
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                       ssl::context::no_tlsv1_1 | ssl::context::no_compression,
                   ec);
  if (ec || SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION) != 1) {
    return Error::make(ErrorKind::Internal, "cannot restrict the TLS context to TLS 1.2+");
  }
  if (!verify_peer) {
    ctx->set_verify_mode(ssl::verify_none, ec);
    return ctx;
  }
  if (!ca_file.empty()) {
    ctx->load_verify_file(ca_file, ec);
    if (ec) {
      return Error::make(ErrorKind::UpstreamConnection,
                         "cannot load the CA file '" + ca_file + "': " + ec.message());
    }
  } else {
    ctx->set_default_verify_paths(ec);
    if (ec) {
      return Error::make(ErrorKind::UpstreamConnection,
                         "cannot load the system CA certificates: " + ec.message());
    }
  }
  ctx->set_verify_mode(ssl::verify_peer, ec);
  if (ec) return Error::make(ErrorKind::Internal, "cannot enable TLS peer verification");
  return ctx;
}

Status prepare_client_tls(TlsStream& stream, const std::string& host, bool verify_peer,
                          const std::shared_ptr<TlsVerifyState>& state) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  const bool is_ip = !ec;
  if (!is_ip && SSL_set_tlsext_host_name(stream.native_handle(), host.c_str()) != 1) {
    return Error::make(ErrorKind::UpstreamConnection, "cannot set TLS SNI for host '" + host + "'");
  }
  if (!verify_peer) {
    stream.set_verify_mode(ssl::verify_none, ec);
    return {};
  }
  stream.set_verify_mode(ssl::verify_peer, ec);
  if (ec) return Error::make(ErrorKind::Internal, "cannot enable TLS peer verification");
  // host_name_verification does the check; the wrapper records a mismatch so that the failure
  // can be explained, and tags the store context with the matching OpenSSL error.
  stream.set_verify_callback(
      [check = ssl::host_name_verification(host), state](bool preverified,
                                                          ssl::verify_context& vctx) {
        const bool ok = check(preverified, vctx);
        if (preverified && !ok) {
          state->host_mismatch = true;
          X509_STORE_CTX_set_error(vctx.native_handle(), X509_V_ERR_HOSTNAME_MISMATCH);
        }
        return ok;
      },
      ec);
  if (ec) return Error::make(ErrorKind::Internal, "cannot install the TLS verify callback");
  return {};
}

std::string describe_tls_failure(TlsStream& stream, const boost::system::error_code& ec,
                                 const TlsVerifyState& state, const std::string& host) {
  if (state.host_mismatch) {
    return "certificate verify failed: certificate does not match host name '" + host + "'";
  }
  const long vr = SSL_get_verify_result(stream.native_handle());
  if (vr != X509_V_OK) {
    return std::string("certificate verify failed: ") + X509_verify_cert_error_string(vr);
  }
  if (ec == boost::asio::ssl::error::stream_truncated) {
    return "the peer closed the connection during the TLS handshake";
  }
  return ec.message();
}

}  // namespace openrain::net
