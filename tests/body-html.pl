# Prints the body of a built concept page (the <section class="body-section">
# elements) with each typeset formula reduced to "[math TEX]" or, for a
# display block, "[display TEX]" (TeX from KaTeX's annotation), so that a
# fixture can compare the exact HTML around formulas.
undef $/;
my $html = <>;
my $span = qr{(<span\b[^>]*>(?:[^<]++|(?-1)|<(?!/?span\b)[^>]*>)*</span>)};
my $tex = sub { $_[0] =~ m{<annotation encoding="application/x-tex">(.*?)</annotation>}s ? $1 : '?' };
$html =~ s{<div class="math display"( id="[^"]*")?>$span</div>}{"<div$1>[display " . $tex->($2) . "]</div>"}ge;
$html =~ s{<span class="math (inline|display)">$span</span>}{"[$1 " . $tex->($2) . "]"}ge;
my @parts = $html =~ m{(<section class="body-section.*?</section>)}sg;
print join("\n", @parts), "\n";
