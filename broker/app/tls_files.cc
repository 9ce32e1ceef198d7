#include "broker/app/tls_files.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace loyalty::broker {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

std::unique_ptr<BIO, BioFree> Read(const std::string& pem) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

std::unique_ptr<X509, X509Free> FirstCertificate(const std::string& pem) {
  auto bio = Read(pem);
  return std::unique_ptr<X509, X509Free>(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

std::string Printed(const ASN1_TIME* time) {
  std::unique_ptr<BIO, BioFree> out(BIO_new(BIO_s_mem()));
  ASN1_TIME_print(out.get(), time);
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

}  // namespace

absl::Status CheckServerTls(const TlsFile& cert, const TlsFile& key, const TlsFile* client_ca,
                            absl::Time now) {
  auto certificate = FirstCertificate(cert.pem);
  if (!certificate) {
    return absl::InvalidArgumentError(
        absl::StrCat("grpc.tls.cert_file ", cert.path, ": no PEM certificate in it"));
  }
  auto key_bio = Read(key.pem);
  std::unique_ptr<EVP_PKEY, KeyFree> private_key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!private_key) {
    return absl::InvalidArgumentError(absl::StrCat(
        "grpc.tls.key_file ", key.path, ": no PEM private key in it (or it is encrypted)"));
  }
  if (X509_check_private_key(certificate.get(), private_key.get()) != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "grpc.tls.key_file ", key.path, " is not the key of grpc.tls.cert_file ", cert.path));
  }
  time_t at = absl::ToTimeT(now);
  if (X509_cmp_time(X509_get0_notAfter(certificate.get()), &at) <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("grpc.tls.cert_file ", cert.path,
                                                   ": the certificate expired on ",
                                                   Printed(X509_get0_notAfter(certificate.get()))));
  }
  if (X509_cmp_time(X509_get0_notBefore(certificate.get()), &at) > 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("grpc.tls.cert_file ", cert.path, ": the certificate is valid only from ",
                     Printed(X509_get0_notBefore(certificate.get()))));
  }
  if (client_ca != nullptr && !FirstCertificate(client_ca->pem)) {
    return absl::InvalidArgumentError(
        absl::StrCat("grpc.tls.client_ca_file ", client_ca->path, ": no PEM certificate in it"));
  }
  return absl::OkStatus();
}

}  // namespace loyalty::broker
