# Reads Go benchmark lines (with "pkg:" lines) and prints one Markdown table:
# a row per benchmark, its medians per unit in one cell, and the run count.
# Used by scripts/bench.sh; POSIX awk.
function human(v, u,   a) {
	if (u == "ns/op") {
		if (v >= 1e9) return sprintf("%.2f s/op", v / 1e9)
		if (v >= 1e6) return sprintf("%.2f ms/op", v / 1e6)
		if (v >= 1e3) return sprintf("%.1f µs/op", v / 1e3)
		return sprintf("%.0f ns/op", v)
	}
	if (v == int(v)) return sprintf("%d %s", v, u)
	a = (v >= 100) ? "%.0f %s" : "%.3g %s"
	return sprintf(a, v, u)
}
function median(key,   n, i, j, t, arr) {
	n = split(vals[key], arr, " ")
	for (i = 2; i <= n; i++) { t = arr[i] + 0; for (j = i - 1; j >= 1 && arr[j] + 0 > t; j--) arr[j + 1] = arr[j]; arr[j + 1] = t }
	return (n % 2) ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2
}
FNR == 1 { pkg = "" }
/^pkg: / { pkg = $2; sub(/^github.com\/sealpay\/sealpay\//, "", pkg); next }
/^Benchmark/ {
	name = $1; sub(/^Benchmark/, "", name); sub(/-[0-9]+$/, "", name)
	row = (pkg == "" ? "" : pkg ".") name
	if (!(row in runs)) order[++nrows] = row
	runs[row]++
	for (i = 3; i + 1 <= NF; i += 2) {
		key = row SUBSEP $(i + 1)
		if (!(key in vals)) units[row] = units[row] (units[row] == "" ? "" : SUBSEP) $(i + 1)
		vals[key] = vals[key] " " $i
	}
}
END {
	print "| benchmark | medians | runs |"
	print "| --- | --- | --- |"
	for (r = 1; r <= nrows; r++) {
		row = order[r]; cell = ""
		n = split(units[row], us, SUBSEP)
		for (k = 1; k <= n; k++) cell = cell (k > 1 ? " · " : "") human(median(row SUBSEP us[k]), us[k])
		printf "| %s | %s | %d |\n", row, cell, runs[row]
	}
}
