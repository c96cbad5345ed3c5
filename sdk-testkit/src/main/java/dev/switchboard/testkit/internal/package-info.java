/** The testkit's machinery: the WireMock engine, wire renderers, the simulated model. Not API. */
package dev.switchboard.testkit.internal;
