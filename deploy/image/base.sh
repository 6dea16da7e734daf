#!/usr/bin/env bash
# Builds the container image's base without any registry: a jlink'd Java runtime from the build JDK,
# the few glibc libraries it and the native parts of the jar (Netty epoll, SQLite) load, a non-root
# user and /tmp, packed as a `docker save` tarball that Jib takes as `tar://` base
# (target/image-base/base.tar). Its Docker config carries the HEALTHCHECK (GET /ready), which Jib keeps.
#   deploy/image/base.sh [JDK]     (default: the launcher's JDK, which must be 21 or newer with jlink)
set -euo pipefail
cd "$(dirname "$0")/../.."
JDK="${1:-${JAVA_HOME:?set JAVA_HOME to a JDK}}"
out=target/image-base
rm -rf "$out"
mkdir -p "$out/root"
root="$out/root"

# The modules the gateway, its JDBC drivers, logback and the CLI use (jdeps over the jar and its
# dependencies); jdk.crypto.ec is part of java.base since JDK 22.
modules=java.base,java.logging,java.management,java.naming,java.net.http,java.sql,java.xml,java.security.jgss,java.security.sasl,jdk.unsupported,jdk.naming.dns,jdk.zipfs,jdk.management
"$JDK/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress zip-6 \
  --output "$root/opt/java"
# The default class-data archive of the runtime, for faster starts.
"$root/opt/java/bin/java" -Xshare:dump -XX:SharedArchiveFile="$root/opt/java/lib/server/classes.jsa" >/dev/null 2>&1 || true

mkdir -p "$root/lib64" "$root/lib/x86_64-linux-gnu" "$root/etc" "$root/tmp" "$root/app" "$root/home/rosetta"
chmod 1777 "$root/tmp"
cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
for lib in libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 libz.so.1 libgcc_s.so.1 libresolv.so.2 \
           libnss_files.so.2 libnss_dns.so.2; do
  cp -L "/lib/x86_64-linux-gnu/$lib" "$root/lib/x86_64-linux-gnu/"
done
strip --strip-unneeded "$root"/lib/x86_64-linux-gnu/*.so* 2>/dev/null || true
cat > "$root/etc/passwd" <<'P'
root:x:0:0:root:/root:/sbin/nologin
rosetta:x:65532:65532:rosetta:/home/rosetta:/sbin/nologin
P
cat > "$root/etc/group" <<'G'
root:x:0:
rosetta:x:65532:
G
echo "hosts: files dns" > "$root/etc/nsswitch.conf"
chown -R 65532:65532 "$root/home/rosetta"

layer="$out/layer.tar"
# everything root's but the user's home
tar --sort=name --mtime='@0' --owner=0 --group=0 --numeric-owner -C "$root" -cf "$layer" --exclude=./home .
tar --mtime='@0' --owner=65532 --group=65532 --numeric-owner -C "$root" -rf "$layer" ./home
diff_id="sha256:$(sha256sum "$layer" | cut -d' ' -f1)"

# Docker image config. Healthcheck durations are nanoseconds.
cat > "$out/config.json" <<J
{"architecture":"amd64","os":"linux",
 "config":{"User":"65532:65532","WorkingDir":"/home/rosetta",
  "Env":["PATH=/opt/java/bin:/usr/bin:/bin","JAVA_HOME=/opt/java"],
  "ExposedPorts":{"8080/tcp":{}},
  "Healthcheck":{"Test":["CMD","/opt/java/bin/java","-XX:TieredStopAtLevel=1","-XX:+UseSerialGC","-Xmx16m","-Xshare:auto",
     "-cp","@/app/jib-classpath-file","dev.rosetta.cli.Probe","http://127.0.0.1:8080/ready"],
   "Interval":10000000000,"Timeout":5000000000,"StartPeriod":20000000000,"Retries":3}},
 "rootfs":{"type":"layers","diff_ids":["$diff_id"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"deploy/image/base.sh: jlink runtime + glibc"}]}
J
echo '[{"Config":"config.json","RepoTags":["rosetta-base:local"],"Layers":["layer.tar"]}]' > "$out/manifest.json"
tar --mtime='@0' --owner=0 --group=0 -C "$out" -cf "$out/base.tar" manifest.json config.json layer.tar
echo "base image: $out/base.tar ($(du -h "$out/base.tar" | cut -f1); runtime $(du -sh "$root/opt/java" | cut -f1))"
