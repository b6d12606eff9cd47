#!/usr/bin/env bash
# Makes the certificates of a GrainKV cluster with openssl: a cluster authority (DIR/ca.crt, DIR/ca.key) and, for
# each NAME given (default: silo client), DIR/NAME/ with tls.crt, tls.key and ca.crt, the layout that
# GrainKV:Tls:CertificateDirectory and `grainkv --tls-dir` read (and that a Kubernetes secret made with
# `kubectl create secret generic grainkv-tls --from-file=DIR/silo/` mounts). Certificates are ECDSA P-256, valid
# for server and client authentication, for 825 days. An existing authority is reused (new names join the same
# cluster); existing NAME directories are left as they are.
#
#   scripts/make-certs.sh DIR [NAME ...]
#
# Keep ca.key off the machines that run the cluster: only the authority's certificate (ca.crt) is needed there.
set -euo pipefail

[ $# -ge 1 ] || { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
command -v openssl >/dev/null || { echo "make-certs.sh: openssl is not installed (Debian: apt-get install openssl)" >&2; exit 1; }
dir=$1; shift
names=("$@"); [ ${#names[@]} -gt 0 ] || names=(silo client)
mkdir -p "$dir"
umask 077

if [ ! -f "$dir/ca.crt" ]; then
  openssl ecparam -name prime256v1 -genkey -noout -out "$dir/ca.key"
  openssl req -x509 -new -key "$dir/ca.key" -sha256 -days 3650 -subj "/CN=grainkv-cluster-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$dir/ca.crt" 2>/dev/null
  echo "made the cluster authority $dir/ca.crt"
fi

for name in "${names[@]}"; do
  [[ $name =~ ^[A-Za-z0-9._-]+$ ]] || { echo "make-certs.sh: '$name' is not a usable name" >&2; exit 2; }
  out="$dir/$name"
  if [ -f "$out/tls.crt" ]; then echo "$out exists: kept"; continue; fi
  mkdir -p "$out"
  openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out "$out/tls.key"
  openssl req -new -key "$out/tls.key" -subj "/CN=grainkv-$name" -out "$out/tls.csr"
  cat >"$out/ext.cnf" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyAgreement
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:localhost,DNS:$name,IP:127.0.0.1
EXT
  openssl x509 -req -in "$out/tls.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -sha256 -days 825 \
    -extfile "$out/ext.cnf" -out "$out/tls.crt" 2>/dev/null
  cp "$dir/ca.crt" "$out/ca.crt"
  rm -f "$out/tls.csr" "$out/ext.cnf"
  chmod 644 "$out/tls.crt" "$out/ca.crt"
  echo "made $out (tls.crt, tls.key, ca.crt)"
done
