# Reference values for tests/test_design.py: Rscript tests/data/r-survey-reference.R > r-survey-reference.csv (then add the header line)
# R 4.2, survey 4.1-1 (Debian r-cran-survey). Data: the SYNTHETIC samples tests/data/synthetic-design-cases-*.csv
library(survey)
options(digits=17)
for (insp in c("current","previous")) {
d0 <- read.csv(sprintf("tests/data/synthetic-design-cases-%s.csv", insp), check.names=FALSE, stringsAsFactors=FALSE)
prompts <- names(d0)[6:ncol(d0)]
for (p in prompts) d0[[p]] <- ifelse(d0[[p]]=="Yes",1,ifelse(d0[[p]]=="No",0,NA))
nh <- table(d0$stratum); d0$n_h <- as.numeric(nh[d0$stratum]); d0$f_h <- d0$n_h/d0$stratum_population; d0$w <- d0$stratum_population/d0$n_h
names(d0)[6:ncol(d0)][1:length(prompts)] <- paste0("p", gsub(".", "_", prompts, fixed=TRUE))
pv <- paste0("p", gsub(".", "_", prompts, fixed=TRUE))
dfpc <- svydesign(ids=~officer, strata=~stratum, fpc=~f_h, nest=TRUE, data=d0)
dwr <- svydesign(ids=~officer, strata=~stratum, weights=~w, nest=TRUE, data=d0)
for (dom in c("all","low")) for (des in c("fpc","wr")) {
  D <- if (des=="fpc") dfpc else dwr
  if (dom=="low") D <- subset(D, rosh=="LOW")
  for (i in seq_along(pv)) {
    v <- pv[i]
    S <- eval(bquote(subset(D, !is.na(.(as.name(v))))))
    if (sum(weights(S) != 0) == 0) next
    m <- svymean(as.formula(paste0("~",v)), S, deff=if (des=="fpc") TRUE else "replace")
    ci <- svyciprop(as.formula(paste0("~",v)), S, method="logit")
    cat(sprintf("%s,%s,%s,%s,%.17g,%.17g,%.17g,%.17g,%.17g,%d\n", insp, dom, des, prompts[i], coef(m), SE(m), deff(m), attr(ci,"ci")[1], attr(ci,"ci")[2], degf(S)))
  }
}
}
