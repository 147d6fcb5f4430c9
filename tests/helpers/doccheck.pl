#!/usr/bin/perl
# tests/helpers/doccheck.pl — the parser and the comparer of the docs test.
# The convention it reads is described at the top of tests/docs.sh.
#
#   doccheck.pl script DOC            the checked commands of DOC, as one bash
#                                     session (markers between commands)
#   doccheck.pl compare DOC OUTPUT    compare that session's OUTPUT with DOC;
#                                     prints a summary, the skipped blocks and
#                                     each mismatch; exit 1 on any mismatch
#   doccheck.pl lint DOC              only the convention (no command is run)
#
# Environment: TDG_DOCS_REPO, the repository's absolute path (for <repo>);
# TDG_DOCS_STATE, the test's own folder standing in for /tmp/tdg (below);
# TDG_DOCS_CGROUP, v1 or v2, the host's cgroup version (for cgroup blocks).
use strict;
use warnings;

my $MARK = "\036"; # ASCII RS: never in a lesson's output

# A fenced ```console block is a transcript: "$ CMD" lines and, after each,
# the lines CMD prints. The line just above the fence may say
# <!-- not checked: REASON -->, or <!-- cgroup v2 --> / <!-- cgroup v1 -->:
# a block whose output is that cgroup version's, checked only on a host of
# that version (TDG_DOCS_CGROUP, v1 or v2; unset, as in lint, every block).
my $CGROUP = $ENV{TDG_DOCS_CGROUP} // '';
sub parse {
	my ($doc) = @_;
	open my $fh, '<', $doc or die "doccheck: $doc: $!\n";
	my @lines = <$fh>;
	close $fh;
	chomp @lines;
	s/\r$// for @lines;
	my (@blocks, @errors, $cur);
	for my $i (0 .. $#lines) {
		my $l = $lines[$i];
		my $n = $i + 1;
		if (!$cur) {
			next unless $l =~ /^(\s*)```console\s*$/;
			my ($indent, $skip) = ($1, undef);
			if ($i > 0 && $lines[$i - 1] =~ /<!--\s*not checked\b:?\s*(.*?)\s*-->/) {
				$skip = $1;
				push @errors, "$doc:$i: 'not checked' needs a reason: <!-- not checked: why -->"
				    if $skip eq '';
			} elsif ($i > 0 && $lines[$i - 1] =~ /<!--\s*cgroup\b\s*(.*?)\s*-->/) {
				my $ver = $1;
				if ($ver !~ /^v[12]$/) {
					push @errors, "$doc:$i: a cgroup block is <!-- cgroup v2 --> or <!-- cgroup v1 -->";
				} elsif ($CGROUP ne '' && $ver ne $CGROUP) {
					$skip = "cgroup $ver: checked on a $ver host"
					    . ($ver eq 'v2' ? ' (the v2 guest, tests/v2guest/ladder.sh)' : '');
				}
			}
			$cur = { line => $n, indent => $indent, skip => $skip, cmds => [] };
			next;
		}
		if ($l =~ /^\s*```\s*$/) {
			push @blocks, $cur;
			undef $cur;
			next;
		}
		$l =~ s/^\Q$cur->{indent}\E//;
		if ($l =~ /^\$ (.+)$/) {
			push @{ $cur->{cmds} }, { line => $n, cmd => $1, out => [] };
		} elsif (@{ $cur->{cmds} }) {
			push @{ $cur->{cmds}[-1]{out} }, $l;
		} elsif (!defined $cur->{skip}) {
			push @errors, "$doc:$n: output before any '\$ ' command; "
			    . "mark the block <!-- not checked: why --> or add the command";
		}
	}
	push @errors, "$doc:$cur->{line}: the ```console block is never closed" if $cur;
	for my $b (@blocks) {
		push @errors, "$doc:$b->{line}: a checked ```console block with no '\$ ' command"
		    if !defined $b->{skip} && !@{ $b->{cmds} };
	}
	return (\@blocks, \@errors);
}

# A lesson keeps its state under /tmp/tdg/ (its preamble says
# `export TDG_ROOT=/tmp/tdg/day07 ...`). The test gives each run its own
# folder instead, TDG_DOCS_STATE: /tmp/tdg/ is rewritten to it in the
# commands, and back in their output. Two runs never share a container, and
# a student's own /tmp/tdg is never touched.
my $LESSON_STATE = '/tmp/tdg/';
my $state = $ENV{TDG_DOCS_STATE} // '';
$state =~ s{/*$}{/} if $state ne '';

# The preamble rule: the first checked command that runs a tdg comes after
# the lesson's own `export TDG_ROOT=... TDG_SUBNET=...`, since the session
# starts from an empty environment, as a student's fresh terminal does.
sub preamble_errors {
	my ($doc, @cmds) = @_;
	my %set;
	for my $c (@cmds) {
		if ($c->{cmd} =~ /^\s*export\s/) {
			$set{$1} = 1 while $c->{cmd} =~ /\b(TDG_ROOT|TDG_SUBNET)=/g;
		}
		next unless $c->{cmd} =~ m{(?:^|[\s;&|(="'])(?:\./)?day\d\d(?:-[\w-]+)?/tdg\b};
		my @missing = grep { !$set{$_} } qw(TDG_ROOT TDG_SUBNET);
		return () unless @missing;
		return ("$doc:$c->{line}: runs tdg before the lesson exports " . join(' and ', @missing)
		    . "; open the lesson with its preamble: export TDG_ROOT=/tmp/tdg/NAME TDG_SUBNET=10.77.0.0/24");
	}
	return ();
}

sub checked_cmds {
	my ($blocks) = @_;
	return map { @{ $_->{cmds} } } grep { !defined $_->{skip} } @$blocks;
}

# Lines are compared with runs of blanks made one space, and none at either
# end: column widths and trailing blanks are not what a lesson teaches.
sub squash {
	my ($s) = @_;
	$s =~ s/\r//g;
	$s =~ s/[ \t]+/ /g;
	$s =~ s/^ //;
	$s =~ s/ $//;
	return $s;
}

# What an expected line may hold besides literal text: the placeholders one
# writes, and the values that differ on every run, which match any value of
# their kind without a placeholder (so lessons can show real output).
my $repo = $ENV{TDG_DOCS_REPO} // '';
my @RULES = (
	[ '<id>',  '[0-9a-f]{12}' ],
	[ '<(?:n|pid)>', '[0-9]+' ],
	[ '<\*>',  '.*' ],
	[ '<repo>', quotemeta($repo) ],
	# a veth's host end, td<id>
	[ 'td[0-9a-f]{12}(?![0-9a-zA-Z])', 'td[0-9a-f]{12}' ],
	# boot ids, and other UUIDs
	[ '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', '[0-9a-f-]{36}' ],
	# a container id: 12 hex digits, at least one a letter
	[ '(?<![0-9a-zA-Z])(?=[0-9]*[a-f])[0-9a-f]{12}(?![0-9a-zA-Z])', '[0-9a-f]{12}' ],
	# RFC 3339 times; `tdg ps` ages; `time`'s three lines
	[ '\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z', '\d{4}-\d\d-\d\dT[0-9:.]+Z' ],
	[ 'just now|\b\d+ (?:second|minute|hour|day)s? ago', '(?:just now|\d+ \w+ ago)' ],
	[ '\b(?:real|user|sys) \d+m[\d.]+s\b', '(?:real|user|sys) \d+m[\d.]+s' ],
	# ping's round-trip times
	[ 'time=[\d.]+ ms', 'time=[\d.]+ ms' ],
	[ 'min/avg/max = [\d.]+/[\d.]+/[\d.]+ ms', 'min/avg/max = [\d./]+ ms' ],
	# a container's address in the test subnet (the gateway .1 stays literal)
	[ '\b10\.77\.0\.(?:[2-9]|[1-9]\d+)\b', '10\.77\.0\.\d+' ],
	# MAC addresses, IPv6 link-local addresses, a veth peer's index
	[ '\b[0-9a-f]{2}(?::[0-9a-f]{2}){5}\b', '[0-9a-f]{2}(?::[0-9a-f]{2}){5}' ],
	[ '\bfe80::[0-9a-f:]+/64', 'fe80::[0-9a-f:]+/64' ],
	[ '\@if\d+', '\@if\d+' ],
	# mktemp's folders (TDG_ROOT=$(mktemp -d)), and ls -l's dates
	[ '/tmp/tmp\.[A-Za-z0-9]{10}', '\S*/tmp\.[A-Za-z0-9]{10}' ],
	[ '\b[A-Z][a-z]{2} {1,2}\d{1,2} \d\d:\d\d\b', '[A-Z][a-z]{2} \d{1,2} \d\d:\d\d' ],
);
my $ANY = join '|', map { "($_->[0])" } @RULES;

sub line_regex {
	my ($s) = @_;
	$s = squash($s);
	my ($re, $pos) = ('', 0);
	while ($s =~ /$ANY/g) {
		$re .= quotemeta(substr($s, $pos, $-[0] - $pos));
		for my $k (1 .. @RULES) {
			if (defined $-[$k]) {
				$re .= $RULES[$k - 1][1];
				last;
			}
		}
		$pos = $+[0];
	}
	$re .= quotemeta(substr($s, $pos));
	return qr/^$re$/;
}

# Expected lines against actual ones; a line "..." matches any number of
# lines, none included (the greedy wildcard walk, with backtracking).
sub lines_match {
	my ($exp, $act) = @_;
	my @e = map { squash($_) eq '...' ? undef : line_regex($_) } @$exp;
	my @a = map { squash($_) } @$act;
	my ($i, $j, $star, $mark) = (0, 0, -1, 0);
	while ($j < @a) {
		if ($i < @e && defined $e[$i] && $a[$j] =~ $e[$i]) {
			$i++;
			$j++;
		} elsif ($i < @e && !defined $e[$i]) {
			$star = $i++;
			$mark = $j;
		} elsif ($star >= 0) {
			$i = $star + 1;
			$j = ++$mark;
		} else {
			return 0;
		}
	}
	$i++ while $i < @e && !defined $e[$i];
	return $i == @e;
}

# A session's output, cut at the markers into one list of lines per command.
sub split_output {
	my ($file) = @_;
	open my $fh, '<', $file or die "doccheck: $file: $!\n";
	local $/;
	my $all = <$fh> // '';
	close $fh;
	my (%out, $cur);
	for my $l (split /\n/, $all, -1) {
		if ($l =~ /^(.*?)$MARK(\w+)$/s) {
			# output with no final newline runs into the marker
			my $rest = $1;
			$rest =~ s{\Q$state\E}{$LESSON_STATE}g if $state ne '';
			push @{ $out{$cur} }, $rest if defined $cur && $rest ne '';
			$cur = $2;
			$out{$cur} = [];
			next;
		}
		$l =~ s{\Q$state\E}{$LESSON_STATE}g if $state ne '';
		push @{ $out{$cur} }, $l if defined $cur;
	}
	return \%out;
}

my ($mode, $doc, $output) = @ARGV;
die "usage: doccheck.pl script|compare|lint DOC [OUTPUT]\n" unless $mode && $doc;
my ($blocks, $errors) = parse($doc);
my @cmds = checked_cmds($blocks);
push @$errors, preamble_errors($doc, @cmds);

if ($mode eq 'script') {
	die "doccheck: TDG_DOCS_STATE is not set\n" if $state eq '';
	# The session's environment is empty: the repository's path is written in.
	(my $q = $repo) =~ s/'/'\\''/g;
	print "cd '$q' || exit 1\n";
	# A pause before each command, as a person typing makes: a container
	# started with -d has had time to set its traps before `stop` comes,
	# and none starts in the session shell's own clock tick (a process is
	# its pid, start time and boot id: lesson 04).
	for my $k (0 .. $#cmds) {
		(my $cmd = $cmds[$k]{cmd}) =~ s{\Q$LESSON_STATE\E}{$state}g;
		print "sleep 0.2; printf '\\036c$k\\n'\n$cmd\n";
	}
	print "printf '\\036end\\n'\n";
	exit 0;
}

my @skipped = grep { defined $_->{skip} } @$blocks;
if ($mode eq 'lint') {
	print "    $_\n" for @$errors;
	exit(@$errors ? 1 : 0);
}
die "usage: doccheck.pl compare DOC OUTPUT\n" unless $mode eq 'compare' && $output;

my $got = split_output($output);
my @msg = map { "    $_" } @$errors;
my $bad = @$errors ? 1 : 0;
for my $k (0 .. $#cmds) {
	my $c = $cmds[$k];
	my $act = $got->{"c$k"};
	if (!defined $act) {
		push @msg, "    $doc:$c->{line}: \$ $c->{cmd}",
		    "      did not run: the session ended before it (timed out, or a command exited)";
		$bad++;
		last;
	}
	next if lines_match($c->{out}, $act);
	$bad++;
	push @msg, "    $doc:$c->{line}: \$ $c->{cmd}", "      the lesson shows:",
	    (map { "        |$_" } @{ $c->{out} }), "      it printed:", (map { "        |$_" } @$act);
}
printf "  %-5s %s: %d commands checked, %d blocks not checked\n", ($bad ? 'FAIL' : 'ok'), $doc,
    scalar @cmds, scalar @skipped;
printf "        not checked: line %d (%s)\n", $_->{line}, $_->{skip} for @skipped;
print "$_\n" for @msg;
exit($bad ? 1 : 0);
