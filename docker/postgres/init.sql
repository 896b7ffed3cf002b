-- One database per service of the local federation (docker/compose.yml).
CREATE DATABASE systraite_hub;
CREATE DATABASE systraite_sn_tgi_dkr;
CREATE DATABASE systraite_sn_tgi_ked;
CREATE DATABASE systraite_sn_tgi_stl;
CREATE DATABASE systraite_sn_tgi_tam;
CREATE DATABASE systraite_sn_tgi_ths;
