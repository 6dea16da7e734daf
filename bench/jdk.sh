# Sourced by the bench scripts: picks a JDK >= 21 (JAVA_HOME, then the java on the PATH, then the newest
# under /usr/lib/jvm) and exports JAVA_HOME, or exits 2 naming the script that needed it.
java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}'; }
pick_jdk() {
  local d v
  for d in "${JAVA_HOME:-}" "$(dirname "$(dirname "$(readlink -f "$(command -v java || echo /nonexistent)")")")" \
           $(ls -d /usr/lib/jvm/* 2>/dev/null | sort -rV); do
    [ -n "$d" ] && [ -x "$d/bin/java" ] || continue
    v=$(java_major "$d")
    if [ -n "$v" ] && [ "${v%%.*}" -ge 21 ] 2>/dev/null; then echo "$d"; return 0; fi
  done
  echo "$(basename "$0"): needs a JDK 21 or newer; set JAVA_HOME to one" >&2
  return 1
}
JAVA_HOME=$(pick_jdk) || exit 2
export JAVA_HOME
