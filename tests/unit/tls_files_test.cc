#include "broker/app/tls_files.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "absl/time/clock.h"

namespace loyalty::broker {
namespace {

std::string KeyPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(size));
  BIO_free(bio);
  return pem;
}

// A self-signed certificate for `key`, valid from `from` to `to` seconds
// relative to now.
std::string CertificatePem(EVP_PKEY* key, long from, long to) {
  X509* x = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), from);
  X509_gmtime_adj(X509_getm_notAfter(x), to);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509_sign(x, key, EVP_sha256());
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, x);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(size));
  BIO_free(bio);
  X509_free(x);
  return pem;
}

class TlsFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = EVP_EC_gen("P-256");
    other_key_ = EVP_EC_gen("P-256");
    ASSERT_NE(key_, nullptr);
  }
  void TearDown() override {
    EVP_PKEY_free(key_);
    EVP_PKEY_free(other_key_);
  }
  absl::Status Check(const std::string& cert, const std::string& key) {
    return CheckServerTls({"server.crt", cert}, {"server.key", key}, nullptr, absl::Now());
  }
  EVP_PKEY* key_ = nullptr;
  EVP_PKEY* other_key_ = nullptr;
};

TEST_F(TlsFilesTest, AcceptsAValidCertificateWithItsKey) {
  EXPECT_TRUE(Check(CertificatePem(key_, -60, 86400), KeyPem(key_)).ok());
}

TEST_F(TlsFilesTest, NamesTheFileOfEachProblem) {
  const std::string cert = CertificatePem(key_, -60, 86400);
  absl::Status garbage = Check("-----BEGIN CERTIFICATE-----\nnot base64\n", KeyPem(key_));
  EXPECT_NE(garbage.message().find("grpc.tls.cert_file server.crt"), std::string::npos) << garbage;
  absl::Status no_key = Check(cert, "garbage");
  EXPECT_NE(no_key.message().find("grpc.tls.key_file server.key"), std::string::npos) << no_key;
  absl::Status mismatch = Check(cert, KeyPem(other_key_));
  EXPECT_NE(mismatch.message().find("is not the key of"), std::string::npos) << mismatch;
  absl::Status expired = Check(CertificatePem(key_, -7200, -3600), KeyPem(key_));
  EXPECT_NE(expired.message().find("expired on"), std::string::npos) << expired;
  absl::Status early = Check(CertificatePem(key_, 3600, 7200), KeyPem(key_));
  EXPECT_NE(early.message().find("valid only from"), std::string::npos) << early;
  TlsFile ca{"ca.crt", "nothing"};
  absl::Status bad_ca =
      CheckServerTls({"server.crt", cert}, {"server.key", KeyPem(key_)}, &ca, absl::Now());
  EXPECT_NE(bad_ca.message().find("grpc.tls.client_ca_file ca.crt"), std::string::npos) << bad_ca;
}

}  // namespace
}  // namespace loyalty::broker
