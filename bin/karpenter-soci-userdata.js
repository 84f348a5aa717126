#!/usr/bin/env node
// karpenter-soci-userdata: EC2 user data that turns on the SOCI snapshotter, for launch
// templates and node groups that Karpenter does not manage (`--help` lists the flags).
// Runs the compiled command (npm run build); in this repository `npm run userdata` runs the source.
'use strict';
require('../build/scripts/userdata.js');
