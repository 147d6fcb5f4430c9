#!/usr/bin/perl
# scripts/lab.pl — lab mode's hole maker (scripts/lab calls it; see there).
#
# The reference code marks what a student writes, day by day:
#
#     /* LAB(03.2): what to write, in one or a few lines.   (day 10: 10a.1,
#                                                          10b.1, 10c.1) 
#      * HINT: man 2 pivot_root; the kernel rule or the pitfall
#      * STUB: return fail_todo("03.2");          (optional) */
#     ... the reference lines ...
#     /* END LAB */
#
# The STUB line is what stands in the hole so the skeleton still builds and
# fails at run time with "TODO(03.2) not written yet"; without one it is
# `return fail_todo("NN.k");`. In a workspace a hole reads
#
#     /* TODO(03.2): what to write ...
#      * HINT: ...
#      * See docs/day-by-day/day03-rootfs.md#write-it-yourself */
#     <the stub, or the student's code>
#     /* END TODO(03.2) */
#
# Usage: lab.pl MODE DAY SRC DST [FROM]
#   MODE  skeleton   holes of day DAY open (stubbed); those of earlier days
#                    filled (theirs or the reference), in TODO form; later
#                    days' code as it is, with no markers
#         solution   the same with day DAY's holes filled from the reference
#         plain      the reference with the markers taken out (any DAY)
#         holes      print "NN.k<TAB>file<TAB>first line" for every hole
#   SRC   a reference file; DST the file to write (- for stdout)
#   FROM  (skeleton) a student's earlier workspace file: the holes of days
#         before DAY that it answers are carried over from it.
use strict;
use warnings;

my ($mode, $day, $src, $dst, $from) = @ARGV;
die "usage: lab.pl skeleton|solution|plain|holes DAY SRC DST [FROM]\n"
    unless defined $src && ($mode eq 'holes' || defined $dst);

my %lesson; # day number -> lesson file, for the "See" line
for my $f (sort glob 'docs/day-by-day/day[0-9][0-9]*-*.md') {
    my ($n) = $f =~ m{day(\d\d[a-c]?)-};
    $lesson{$n} //= $f;
}

sub slurp { local $/; open my $h, '<', $_[0] or die "lab: $_[0]: $!\n"; <$h> }

# What a student wrote between a hole's TODO comment and its END line.
my %theirs;
if (defined $from && -e $from) {
    my $t = slurp($from);
    while ($t =~ m{/\* TODO\((\d\d[a-c]?\.\d+)\):.*?\*/[ \t]*\n(.*?)^[ \t]*/\* END TODO\(\1\) \*/[ \t]*\n}msg) {
        $theirs{$1} = $2;
    }
}

my $text = slurp($src);
my $out = '';
my $pos = 0;
while ($text =~ m{^([ \t]*)/\* LAB\((\d\d[a-c]?)\.(\d+)\):(.*?)\*/[ \t]*\n(.*?)^[ \t]*/\* END LAB \*/[ \t]*\n}msg) {
    my ($indent, $dd, $k, $head, $body) = ($1, $2, $3, $4, $5);
    my $start = $-[0];
    my $end = $+[0];
    my $id = "$dd.$k";
    $out .= substr($text, $pos, $start - $pos);
    $pos = $end;

    my @lines = split /\n/, $head;
    my $stub = qq{return fail_todo("$id");};
    my @keep;
    for my $l (@lines) {
        if ($l =~ /^\s*\*\s*STUB:\s*(.*?)\s*$/) { $stub = $1; next; }
        push @keep, $l;
    }
    my $first = $keep[0] // '';
    $first =~ s/^\s+//;
    if ($mode eq 'holes') {
        print "$id\t$src\t$first\n";
        next;
    }
    # Day 10 comes in parts, 10a < 10b < 10c (DAY 10: all of them at once).
    my $today = $dd eq $day || ($day eq '10' && $dd =~ /^10/);
    if ($mode eq 'plain' || (!$today && $dd gt $day)) { # a later day's: not yet a hole
        $out .= $body;
        next;
    }
    my $see = $lesson{$dd} ? "$lesson{$dd}#write-it-yourself" : 'the lesson of the day';
    my $comment = "$indent/* TODO($id):" . join("\n", @keep);
    $comment =~ s/\s+$//;
    $comment .= "\n$indent * See $see */\n";
    my $fill;
    if ($mode eq 'skeleton' && $today) {
        $fill = "$indent$stub\n";
    } elsif ($mode eq 'skeleton' && exists $theirs{$id}) {
        $fill = $theirs{$id}; # their own answer to an earlier day's hole
    } else {
        $fill = $body;
    }
    $out .= $comment . $fill . "$indent/* END TODO($id) */\n";
}
exit 0 if $mode eq 'holes';
$out .= substr($text, $pos);
if ($dst eq '-') { print $out; exit 0; }
open my $o, '>', $dst or die "lab: $dst: $!\n";
print $o $out;
close $o or die "lab: $dst: $!\n";
